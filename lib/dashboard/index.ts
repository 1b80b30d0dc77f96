export * from './context';
export * from './distribution-view';
export * from './http';
export * from './params';
export * from './store-reads';
export * from './views';
export * from './openapi';
