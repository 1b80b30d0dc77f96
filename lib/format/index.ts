export * from './calibration';
export * from './events';
export * from './layout';
export * from './model-meta';
export * from './names';
export * from './summary';
export * from './timestamps';
export * from './version';
