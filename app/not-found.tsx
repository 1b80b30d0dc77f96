import Link from 'next/link';
import { headers } from 'next/headers';
import { ConfigError, NotFoundError } from '@/lib/compare';
import { dashboardContext, featureParam, featureView, modelParam, modelView, viewQuery } from '@/lib/dashboard';
import { ApiError } from '@/lib/dashboard/params';

/**
 * The 404 page. notFound() carries no message, so the API's one is found again from the request
 * URL (set by proxy.ts): the same lookups fail the same way, fast, at their first check.
 */
async function notFoundMessage(): Promise<string | undefined> {
  const url = (await headers()).get('x-driftwatch-url');
  if (!url) return undefined;
  const parsed = new URL(url, 'http://localhost');
  const m = /^\/models\/([^/]+)(?:\/features\/([^/]+))?\/?$/.exec(parsed.pathname);
  if (!m) return undefined;
  try {
    const ctx = await dashboardContext();
    const model = modelParam(decodeURIComponent(m[1]));
    const query = viewQuery((name) => parsed.searchParams.get(name), ctx.config.evaluation.references[0]);
    if (m[2]) await featureView(ctx, model, featureParam(decodeURIComponent(m[2])), query);
    else await modelView(ctx, model, query);
  } catch (error) {
    if (error instanceof ApiError || error instanceof NotFoundError || error instanceof ConfigError) return error.message;
  }
  return undefined;
}

export default async function NotFound() {
  const message = await notFoundMessage();
  return (
    <>
      <h1>Not found</h1>
      <p className="error" role="alert" data-testid="error">
        {message ?? 'No such page.'}
      </p>
      <p>
        <Link href="/">All models</Link> · <Link href="/alerts">Alerts</Link>
      </p>
    </>
  );
}
