export { DEFAULT_COMPRESSION, atomMinWeight } from './compress';
export { CdfCursor, TDigest, cdfAt, mergeSorted, type CdfKnots, type SerializedDigest } from './digest';
export { buildDigest, DigestBuilder, type BuiltDigest, type NonFiniteCounts } from './build-digest';
export { mergeDigests } from './merge-digests';
export { digestFromJSON, digestToJSON, DigestFormatError } from './serialize-digest';
export { sortFloat64, sortCentroidRuns } from './sort-float64';
