import { request as httpRequest, Agent } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { startServe, type RunningServer } from '../dashboard/server';

/**
 * Hostile input: ≥ 10,000 requests generated with fast-check from /api/openapi.json (every path,
 * method and parameter, plus repeated and unknown ones) against `driftwatch serve` on a demo
 * store. Values are huge, unicode, NUL, %-encoded, negative/NaN numbers, year 0/9999 dates, and
 * path traversal in every encoding in every path segment. No answer may be a 5xx, carry a stack
 * trace or a server path, and an API 4xx is JSON with an `error`. Then the CLI's path arguments.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const MODEL = 'checkout-fraud';
const RUNS = 10_500;
const CONCURRENCY = 8;

/** `../` spelt every way a decoder, a normaliser or a Windows path might turn back into `../`. */
const TRAVERSALS = [
  '..', '../', '../../etc/passwd', '..%2f', '..%2F', '%2e%2e', '%2e%2e%2f', '%2E%2E%2F', '%2e%2e/', '.%2e/', '%2e./',
  '%252e%252e%252f', '%252e%252e/', '..%252f', '..\\', '..%5c', '%2e%2e%5c', '..\\..\\windows\\win.ini', '%c0%ae%c0%ae%c0%af', '%c0%ae%c0%ae/',
  '%e0%80%ae%e0%80%ae/', '%c1%9c', '..%c0%af', '..%u2216', '%uff0e%uff0e/', '．．／', '..;/', '....//', '..././', '/etc/passwd', '%2fetc%2fpasswd',
  '%00', 'a%00b', '..%00/', 'C:\\Windows', '\\\\server\\share', 'file:///etc/passwd', '~', '~root', '.', '%2e', '',
];
const DATES = ['0000-01-01T00:00:00Z', '0000-01-01', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-09T25:61:00Z', '1970-01-01T00:00:00Z', '2026-11-09T10:00:00+14:00', 'now', '1e309'];
const NUMBERS = ['-1', '-0', 'NaN', 'Infinity', '-Infinity', '1e309', '0x10', '9007199254740993', '1.5', '0', '99999999999999999999', '12h', '-12h', '0h', '999999d', '400d', '1h', 'P1D'];
const VALID: Record<string, string[]> = {
  model: [MODEL], feature: ['time_to_order', 'basket_value', 'score'], reference: ['test', 'train'], metric: ['psi', 'ks'], window: ['12h', '7d'],
  from: ['2026-11-08T10:00:00Z'], to: ['2026-11-09T10:00:00Z'], state: ['firing', 'resolved', 'acknowledged'], step: ['1d'], source: ['estimated'],
};

const hugeString = fc.oneof(
  fc.integer({ min: 5_000, max: 60_000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => '../'.repeat(n)),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => '%2e%2e%2f'.repeat(n)),
);
/** Already-encoded hostile text, sent as is; or raw text, percent-encoded on the way out. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRAVERSALS).map((raw) => ({ raw })) },
  { weight: 2, arbitrary: fc.constantFrom(...DATES, ...NUMBERS).map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\u202e\u0301', '\ud83d\ude00', '\ufeff', '%', '%%', '%zz', '%e2%82', '<script>', '{"a":1}', '$(id)').map((text) => ({ text })) },
  { weight: 1, arbitrary: hugeString.map((raw) => ({ raw })) },
);
type Value = { raw: string } | { text: string };
const encode = (v: Value) => ('raw' in v ? v.raw.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[#?]/g, (c) => encodeURIComponent(c)) : encodeURIComponent(v.text));

interface Operation {
  path: string;
  method: 'GET' | 'POST';
  query: string[];
  body: string[];
}

interface Generated {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

function operations(doc: { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const body = Object.keys(op.requestBody?.content['application/json']?.schema.properties ?? {});
      out.push({ path, method: method.toUpperCase() as 'GET' | 'POST', query, body });
    }
  }
  return out;
}

function requestArbitrary(ops: Operation[]): fc.Arbitrary<Generated> {
  return fc.constantFrom(...ops).chain((op) => {
    const names = op.path.match(/\{(\w+)\}/g)?.map((s) => s.slice(1, -1)) ?? [];
    const segment = (name: string) => fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...(VALID[name] ?? ['x'])).map((text) => ({ text }) as Value) }, { weight: 3, arbitrary: value });
    const params = fc.array(fc.tuple(fc.constantFrom(...op.query, 'unknown', '', 'a[b]', '__proto__'), fc.oneof(value, fc.constantFrom(...Object.values(VALID).flat()).map((text) => ({ text }) as Value))), { maxLength: 5 });
    // Traversal in a literal segment too: /api/%2e%2e/models, /api/models/x/..%2f..%2f/compare.
    const literal = fc.option(fc.tuple(fc.nat(), fc.constantFrom(...TRAVERSALS.filter(Boolean))), { freq: 4 });
    const repeat = fc.boolean();
    const bodyArb = fc.oneof(
      fc.dictionary(fc.constantFrom(...op.body, 'extra'), fc.oneof(value.map((v) => ('raw' in v ? v.raw : v.text)), fc.constantFrom(null, 1, -1, true, [], {}) as fc.Arbitrary<unknown>)).map((o) => JSON.stringify(o)),
      fc.constantFrom('', 'null', '[]', '"x"', '{', '{"id":', '\u0000', '{"__proto__":{"polluted":1}}'),
      hugeString,
    );
    return fc.record({ seg: fc.tuple(...names.map(segment)), params, literal, repeat, body: bodyArb }).map(({ seg, params, literal, repeat, body }) => {
      let i = 0;
      let path = op.path.replace(/\{\w+\}/g, () => encode(seg[i++]));
      if (literal) {
        const parts = path.split('/');
        const at = 1 + (literal[0] % (parts.length - 1));
        parts.splice(at, 0, encode({ raw: literal[1] }));
        path = parts.join('/');
      }
      const pairs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encode(v)}`);
      if (repeat && pairs.length > 0) pairs.push(pairs[0]);
      const url = pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
      return op.method === 'POST' ? { method: op.method, path: url, body } : { method: op.method, path: url };
    });
  });
}

let dir: string;
let store: string;
let server: RunningServer;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** A raw HTTP request: the path goes out exactly as generated (fetch would normalise `..` away). */
function send(base: URL, r: Generated): Promise<{ status: number; type: string; body: string; headerBytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, path: r.path, method: r.method, agent, maxHeaderSize: 4 << 20, headers: r.body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8'), headerBytes: res.rawHeaders.join('').length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${r.method} ${r.path.slice(0, 200)}`)));
    req.end(r.body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-fuzz-'));
  store = join(dir, 'store');
  const log: string[] = [];
  const code = await main(['demo', '--store', store, '--days', '3', '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
  if (code !== 0) throw new Error(`demo exited with ${code}:\n${log.join('\n')}`);
  server = await startServe(store);
}, 600_000);

afterAll(async () => {
  agent.destroy();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What must never be in an answer: a stack frame, or a path of this machine. */
function leak(body: string): string | undefined {
  if (/\n\s+at [^\n]*[(:]\S*:\d+:\d+\)?/.test(body)) return 'stack trace';
  for (const p of [ROOT, dir, store, tmpdir(), '/node_modules/', 'webpack-internal:', '/.next/server/']) if (body.includes(p)) return `path ${p}`;
  return undefined;
}

describe('hostile input to the dashboard API', () => {
  it(`answers ${RUNS} generated requests without a 5xx, a stack trace or a server path; API 4xx are JSON errors`, async () => {
    const base = new URL(server.url);
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Parameters<typeof operations>[0];
    const ops = operations(doc).filter((op) => op.path !== '/api/openapi.json');
    expect(ops.length).toBeGreaterThanOrEqual(6);
    const requests = fc.sample(requestArbitrary(ops), { numRuns: RUNS, seed: 20261207 });
    // A documented route, once the URL parser has resolved `..` and `%2e%2e` (`/api/../models` is the page /models).
    const routes = Object.keys(doc.paths).map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`));
    const failures: string[] = [];
    let bigHeaders = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const r = requests[next++];
          const res = await send(base, r).catch((error: Error) => {
            // Node's HTTP server refuses a request line over its 16 KiB header limit (431, then closes the socket).
            if (r.path.length > 16_000 && /ECONNRESET|socket hang up|EPIPE/.test(error.message)) return { status: 431, type: 'text/plain', body: '', headerBytes: 0 };
            return { status: 599, type: 'text/plain', body: `client error: ${error.message}`, headerBytes: 0 };
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const what = `${r.method} ${r.path.slice(0, 160)} → ${res.status}`;
          // Next's redirects of `//` and a trailing `/` echo the whole path in Location: counted, not failed (see the report).
          if (res.headerBytes > 16_384) bigHeaders++;
          if (res.status >= 500) failures.push(`${what}: ${res.body.slice(0, 200)}`);
          const leaked = leak(res.body);
          if (leaked) failures.push(`${what}: ${leaked}`);
          // 431 comes from Node's HTTP parser (request line over 16 KiB), before any route or proxy runs.
          if (res.status >= 400 && res.status < 500 && res.status !== 431 && routes.some((re) => re.test(new URL(r.path.split('?')[0], base).pathname))) {
            let error: unknown;
            try {
              error = (JSON.parse(res.body) as { error?: unknown }).error;
            } catch {
              error = undefined;
            }
            if (!res.type.includes('application/json') || typeof error !== 'string' || error === '') failures.push(`${what}: not a JSON error (${res.type}): ${res.body.slice(0, 120)}`);
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${requests.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${bigHeaders} answers with over 16 KiB of headers`);
    expect(failures.slice(0, 20)).toEqual([]);
    // Some requests must get through validation, or the suite tests only the first check.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['store']));
  }, 240_000);
});

describe('hostile CLI path arguments', () => {
  it('refuses traversal in --store, --file and --out with one clear line, and writes nothing outside the temp dir', async () => {
    // Every place a traversal could land (relative to the working directory, as the CLI resolves them).
    const targets = (p: string) => [resolve(p), resolve(p, 'x.bin'), resolve(store, p), resolve(store, 'models', MODEL, p)];
    const hostile = ['../../../../etc', '..%2f..%2fetc', '..\\..\\windows', `${store}/../../..`, 'a\u0000b', '%2e%2e%2f%2e%2e%2f', '/etc/passwd'];
    for (const p of hostile) {
      const before = new Map(targets(p).map((t) => [t, existsSync(t)]));
      const lines: string[] = [];
      const ctx = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`ERR ${l}`) };
      const runs: [string[], RegExp][] = [
        [['compare', '--store', p, '--model', MODEL, '--window', '12h'], /not a driftwatch store|no such|invalid|not allowed|must/i],
        [['ingest', '--store', store, '--model', MODEL, '--file', p], /./],
        [['reference add', '--store', store, '--model', MODEL, '--name', 'fuzz', '--file', p], /./],
        [['quarantine', 'show', '--store', store, '--model', MODEL, '--out', join(p, 'x.bin')], /./],
        [['alerts', 'list', '--store', p], /not a driftwatch store|invalid|must/i],
      ];
      for (const [argv, message] of runs) {
        lines.length = 0;
        const code = await main(argv.flatMap((a) => a.split(' ')), ctx);
        const text = lines.join('\n');
        // `quarantine show` on a store without quarantined lines has nothing to write and says so (exit 0).
        if (argv[0] !== 'quarantine') expect(code, `${argv.join(' ')}: ${text}`).not.toBe(0);
        const error = lines.filter((l) => l.startsWith('ERR ')).join('\n');
        if (code !== 0) expect(error, argv.join(' ')).toMatch(message);
        expect(text, argv.join(' ')).not.toMatch(/\n\s+at .*:\d+:\d+/);
      }
      for (const [t, existed] of before) expect(existsSync(t), `${p} → ${t}`).toBe(existed);
    }
    expect((await readdir(join(store, 'models'))).sort()).toEqual([MODEL]);
  }, 120_000);
});
