/** Calling Next route handlers directly, as the route tests do (conventions: "Route handlers tested by calling the exported handler with a Request"). */
export const request = (path: string) => new Request(`http://localhost${path}`);
export const params = <T>(p: T) => ({ params: Promise.resolve(p) });

/** Put DRIFTWATCH_STORE back as it was before a suite pointed the handlers at its store. */
export function restoreStoreEnv(previous: string | undefined): void {
  if (previous === undefined) delete process.env.DRIFTWATCH_STORE;
  else process.env.DRIFTWATCH_STORE = previous;
}
