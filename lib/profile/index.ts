export { addReference, defaultChunkCount, type AddReferenceOptions, type AddReferenceResult } from './reference';
export { ingest, type IngestOptions, type IngestResult } from './ingest';
export { profileModel, type ProfileModelOptions, type ProfileModelResult } from './profile';
export { readModelMeta, writeModelMeta } from './model-store';
export { readProfileState, ProfileState } from './profile-state';
export { ProfileInputError, type ColumnFlags, type Progress, type ProgressFn } from './options';
export { MAX_EVENT_BYTES } from './ingest-events';
export { NULL_CATEGORY, TYPE_ERROR_CATEGORY } from './feature-sql';
