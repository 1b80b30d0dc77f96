/**
 * Runs once when the server starts: load the heavy Node packages the dashboard's routes need
 * (DuckDB's native bindings, the AWS SDK) so the first request after a start or deploy does not
 * pay for them. Both stay outside the bundle (next.config.ts), so the routes reuse these modules.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  await Promise.all([import('@duckdb/node-api'), import('@aws-sdk/client-s3')]);
}
