// Everything but write-scenario-files is pure (no node:*): a browser or route handler that wants
// only the generator imports './generate-scenario' directly and never pulls in node:fs.
export * from './features';
export * from './faults';
export * from './fraud-model';
export * from './generate-scenario';
export * from './random';
export * from './sample-order';
export * from './traffic';
export * from './write-scenario-files';
export * from './fallback-model';
export * from './performance-report';
