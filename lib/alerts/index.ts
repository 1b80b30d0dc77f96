export * from './alert-checkpoints';
export * from './alert-message';
export * from './deliver';
export * from './evaluate-alerts';
export * from './notifiers';
export * from './outbox';
export * from './schemas';
export * from './send-outbox';
