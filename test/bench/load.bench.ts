import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, get, type IncomingHttpHeaders } from 'node:http';
import { loadavg } from 'node:os';
import { makeDemoStore, startServe } from '@/test/integration/dashboard/server';

const percentile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

interface Timed {
  kind: 'compare' | 'trend';
  ms: number;
  status: number;
  computed: string | null;
}

/**
 * The clients' HTTP: node:http with keep-alive, as a browser keeps its connections. `fetch`
 * (undici) cost the bench ~2.5 ms of CPU a request, half of the two cores the server needs too.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function httpGet(url: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function timed(base: string, kind: Timed['kind'], path: string): Promise<Timed> {
  const t0 = performance.now();
  const response = await httpGet(`${base}${path}`);
  if (response.status !== 200 && response.status !== 503) throw new Error(`bench: ${path} answered ${response.status}`);
  return { kind, ms: performance.now() - t0, status: response.status, computed: (response.headers['x-driftwatch-computed'] as string | undefined) ?? null };
}

/**
 * What one dashboard user does, in order: the model page's default view (last 12 h), then other
 * 12-hour windows (24 different ones over all users), and a trend recomputed from summaries (a
 * 6-hour window is not stored; 7 days, 3 different features over all users).
 */
function session(model: string, latestMs: number, user: number, requests: number): { kind: Timed['kind']; path: string }[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const out: { kind: Timed['kind']; path: string }[] = [{ kind: 'compare', path: `/api/models/${model}/compare?window=12h` }];
  for (let r = 1; r < requests; r++) {
    if (r % 3 === 2) {
      out.push({ kind: 'trend', path: `/api/models/${model}/trend?feature=${['time_to_order', 'basket_value', 'device_score'][(user + r) % 3]}&window=6h&step=6h&range=7d` });
    } else {
      const end = latestMs - ((user * 7 + r) % 24) * 3_600_000;
      out.push({ kind: 'compare', path: `/api/models/${model}/compare?from=${iso(end - 12 * 3_600_000)}&to=${iso(end)}` });
    }
  }
  return out;
}

/**
 * CPU seconds (user + system, every thread) of the server's processes: the `driftwatch serve`
 * listening on `port` and its process group. On a shared machine wall times depend on the
 * neighbours; CPU time says what the load itself cost. Linux only (NaN elsewhere).
 */
export function serverCpuS(port: string): number {
  try {
    const stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return [{ cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'), pgid: fields[2], cpu: (Number(fields[11]) + Number(fields[12])) / 100 }];
        } catch {
          return [];
        }
      });
    const leader = stats.find((p) => p.cmd.includes('serve') && p.cmd[p.cmd.indexOf('--port') + 1] === port);
    return leader ? stats.filter((p) => p.pgid === leader.pgid).reduce((sum, p) => sum + p.cpu, 0) : NaN;
  } catch {
    return NaN;
  }
}

/** Users run their sessions at once; /api/models is polled alongside, every 100 ms. */
async function run(store: string, model: string, users: number, requests: number) {
  const server = await startServe(store);
  try {
    const overview = (await (await fetch(`${server.url}/api/models`)).json()) as { models: { window: { latest_data: string } }[] };
    const latest = Date.parse(overview.models[0].window.latest_data);
    // Warm-up outside the measured windows, two at a time so every worker loads the reference once.
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const feature of ['payment_method', 'score']) {
      await Promise.all([100, 101].map((h) => timed(server.url, 'compare', `/api/models/${model}/compare?from=${iso(latest - (h + 12) * 3_600_000)}&to=${iso(latest - h * 3_600_000)}`)));
      await Promise.all(['3d', '4d'].map((range) => timed(server.url, 'trend', `/api/models/${model}/trend?feature=${feature}&window=6h&step=6h&range=${range}`)));
    }
    const load0 = loadavg()[0];
    const port = new URL(server.url).port;
    const cpu0 = serverCpuS(port);
    const client0 = process.cpuUsage();
    let running = true;
    const cheap: number[] = [];
    const poller = (async () => {
      while (running) {
        const t0 = performance.now();
        await httpGet(`${server.url}/api/models`);
        cheap.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = performance.now();
    const results = (
      await Promise.all(
        Array.from({ length: users }, async (_, user) => {
          const out: Timed[] = [];
          for (const { kind, path } of session(model, latest, user, requests)) out.push(await timed(server.url, kind, path));
          return out;
        }),
      )
    ).flat();
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = serverCpuS(port) - cpu0;
    const client = process.cpuUsage(client0);
    running = false;
    await poller;
    const ok = (kind: Timed['kind']) => results.filter((r) => r.kind === kind && r.status === 200).map((r) => r.ms);
    const count = (computed: string) => results.filter((r) => r.computed === computed).length;
    return {
      users,
      requests: results.length,
      wall_s: wallS,
      server_cpu_s: cpuS,
      client_cpu_s: (client.user + client.system) / 1e6,
      compare_p50_ms: percentile(ok('compare'), 0.5),
      compare_p95_ms: percentile(ok('compare'), 0.95),
      trend_recomputed_p50_ms: percentile(ok('trend'), 0.5),
      trend_recomputed_p95_ms: percentile(ok('trend'), 0.95),
      models_p95_ms: percentile(cheap, 0.95),
      models_max_ms: Math.max(...cheap),
      models_requests: cheap.length,
      busy_503: results.filter((r) => r.status === 503).length,
      computed: count('computed'),
      shared: count('shared'),
      cached: count('cached'),
      load_average: [load0, loadavg()[0]],
    };
  } finally {
    await server.stop();
  }
}

/**
 * Issue #10 on the demo store: the same sessions by 1 user, then by `clients` users at once, each
 * on a freshly started server (`driftwatch serve`). Targets: compare p95 ≤ 5× the single user's,
 * recomputed trend p95 ≤ 2 s, /api/models p95 ≤ 200 ms while the load runs. Needs `npm run build`.
 */
export async function benchLoad(log: (line: string) => void, clients: number, requests = 6) {
  const { dir, store } = await makeDemoStore('driftwatch-bench-load-');
  try {
    log(`load: 1 user, then ${clients} users, ${requests} requests each …`);
    const one = await run(store, 'checkout-fraud', 1, requests * 4);
    const many = await run(store, 'checkout-fraud', clients, requests);
    return { one, many, compare_p95_ratio: many.compare_p95_ms / one.compare_p95_ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
