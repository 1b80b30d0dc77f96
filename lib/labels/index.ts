export { addLabels, type AddLabelsOptions, type AddLabelsResult } from './add-labels';
export { profilePerformance, type PerformanceProfileResult } from './performance-profile';
export { performanceSeries, type EstimatedPerformance, type PerformanceQuery, type PerformanceSeries, type PerformanceWindow, type RealisedPerformance } from './performance-window';
export { addReferencePerformance, readReferencePerformance, ReferencePerformance } from './reference-performance';
export { decodePerformanceFile, mergePeriods, PerformanceFileError, type PerformancePeriod } from './performance-file';
