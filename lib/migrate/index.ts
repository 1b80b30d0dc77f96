export { leftoverV1Keys, migrateStore, removeV1Keys, type KindCount, type MigrateOptions, type ModelReport } from './migrate-store';
export { MigrateInputError } from './merge-files';
export { isV1HourKey, type PackKind } from './v1-keys';
