export { assertKey, StorageKeyError, type Storage } from './storage';
export { StorageError, StorageLocationError, type StorageErrorInit, type StorageOperation } from './errors';
export { assertListPrefix, assertObjectKey, TEMP_PREFIX } from './keys';
export { LocalStorage } from './local-storage';
export { MemoryStorage } from './memory-storage';
export { S3Storage, type S3StorageOptions } from './s3-storage';
export { openStorage } from './open-storage';
