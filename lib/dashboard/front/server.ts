import { createServer, type Server } from 'node:http';
import next from 'next';
import { answerFront } from './answer-front';
import { withPeer } from '../auth/peer';

/** DRIFTWATCH_ANSWER_TTL_MS: how long a finished API answer is reused for the same request (default 0). */
export function answerTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DRIFTWATCH_ANSWER_TTL_MS ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** DRIFTWATCH_HEAVY_SLOTS: computing requests (compare, feature, trend) let into Next at once (default 4). */
export function heavySlots(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DRIFTWATCH_HEAVY_SLOTS ?? 4);
  return Number.isInteger(n) && n >= 1 ? n : 4;
}

export interface DashboardServerOptions {
  /** The app's root (app/, .next/). */
  dir: string;
  port: number;
  host: string;
}

/**
 * The built dashboard (Next.js, production) behind the answer front (./answer-front.ts), on one
 * port: what `driftwatch serve` runs instead of `next start`. Stops cleanly on SIGINT/SIGTERM.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<Server> {
  (process.env as Record<string, string>).NODE_ENV = 'production';
  const app = next({ dev: false, dir: options.dir, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer(withPeer(answerFront((req, res) => handle(req, res), { ttlMs: answerTtlMs(), heavySlots: heavySlots() })));
  // Idle keep-alive connections outlive the dashboard's polling (Node's default is 5 s).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => console.error(`driftwatch dashboard: ${error.message}`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}
