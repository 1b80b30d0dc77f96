// vitest stands in for Next's react-server condition: lib/dashboard's 'server-only' marker resolves here.
export {};
