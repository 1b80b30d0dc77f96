import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@/lib/alerts';
import { readDeliveryStatus } from '@/lib/compare';
import { openStore } from '@/lib/cli/store-context';
import { CONFIG_KEY } from '@/lib/format';
import { cli, cliOk, MODEL, writeEvents, writeReference } from './helpers';

interface Post {
  id: string;
  round: number;
  status: number;
}

/** Issue #10, case 6: a receiver down for three rounds, then up. */
describe('alert delivery: a webhook receiver down for three rounds, then up', () => {
  let dir: string;
  let store: string;
  let server: Server;
  let up = false;
  let round = 0;
  const posts: Post[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const event = JSON.parse(body) as AlertEvent;
        // The receiver dedupes nothing: every POST is counted, by the event id in the body.
        posts.push({ id: event.id, round, status: up ? 200 : 503 });
        res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' }).end(up ? 'ok' : 'maintenance');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    dir = await mkdtemp(join(tmpdir(), 'driftwatch-faults-delivery-'));
    store = join(dir, 'store');
    await writeReference(join(dir, 'test.csv'));
    // x switches to milliseconds (×1000) at hour 30, and back at hour 40: alerts fire and resolve.
    await writeEvents(join(dir, 'events.ndjson'), 0, 60, (h) => (h >= 30 && h < 40 ? 1000 : 1));
    await cliOk(['init', '--store', store]);
    await writeFile(
      join(store, CONFIG_KEY),
      `evaluation:
  references: [test, train]
alerts:
  rules:
    - { name: drift, verdicts: [drift, failing], fire_after: 1, resolve_after: 2, channels: [ops-webhook] }
  channels:
    - { name: ops-webhook, type: webhook, url: "http://127.0.0.1:${port}/hook", max_attempts: 2, backoff_ms: 10, max_backoff_ms: 20, timeout_ms: 2000 }
`,
    );
    // Two references, so the one fault raises two alerts (one per reference) that are pending at once.
    for (const name of ['test', 'train']) await cliOk(['reference', 'add', '--store', store, '--model', MODEL, '--name', name, '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts']);
    await cliOk(['ingest', '--store', store, '--model', MODEL, '--file', join(dir, 'events.ndjson')]);
    await cliOk(['profile', '--store', store]);
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('every pending alert is tried each round, failures are reported (non-zero with --strict), and each is delivered exactly once', async () => {
    const { storage } = await openStore(store);
    const lines: string[] = [];
    // Rounds 1–3: down. Round 1 evaluates and creates the events; 2 and 3 only retry the outbox.
    for (round = 1; round <= 3; round++) {
      const args = round === 3 ? ['run', '--once', '--strict', '--store', store] : round === 2 ? ['evaluate', '--strict', '--store', store] : ['evaluate', '--store', store];
      const exit = await cli(args).done;
      lines.push(exit.stderr);
      expect(exit.code, exit.stderr).toBe(round === 1 ? 0 : 1);
      expect(exit.stderr).toMatch(new RegExp(`${MODEL}: (\\d+) notifications failed to deliver to ops-webhook: HTTP 503 from webhook channel "ops-webhook": maintenance; will retry at the next evaluation \\((\\d+) pending\\)`));
    }
    const [, failed, pending] = /(\d+) notifications failed to deliver to ops-webhook: .*\((\d+) pending\)/.exec(lines[0])!;
    expect(Number(failed)).toBe(Number(pending));
    const events = new Map<string, AlertEvent>();
    for (const key of await storage.list(`models/${MODEL}/alerts/`)) {
      for (const e of (JSON.parse(new TextDecoder().decode(await storage.read(key))) as { events: AlertEvent[] }).events) events.set(e.id, e);
    }
    expect(events.size).toBe(Number(pending));
    expect([...events.values()].filter((e) => e.kind === 'resolved').length).toBeGreaterThan(0);
    // Each round tried every alert (its oldest pending event; a later event of the same alert waits behind it).
    const alertOf = (id: string) => id.split('|').slice(0, 4).join('|');
    const alerts = new Set([...events.keys()].map(alertOf));
    expect(alerts.size).toBeGreaterThan(1);
    for (let r = 1; r <= 3; r++) expect(new Set(posts.filter((p) => p.round === r).map((p) => alertOf(p.id)))).toEqual(alerts);

    const down = await readDeliveryStatus(storage, MODEL);
    expect(down.channels['ops-webhook']).toMatchObject({ last_success_at: null, pending: events.size, last_error: 'HTTP 503 from webhook channel "ops-webhook": maintenance' });
    expect(down.channels['ops-webhook'].last_attempt_at).not.toBeNull();

    // Round 4: up. Everything goes out; round 5 sends nothing more.
    up = true;
    for (round = 4; round <= 5; round++) {
      const exit = await cli(['evaluate', '--strict', '--store', store]).done;
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).not.toContain('failed to deliver');
    }
    const delivered = posts.filter((p) => p.status === 200);
    const perEvent = new Map<string, number>();
    for (const p of delivered) perEvent.set(p.id, (perEvent.get(p.id) ?? 0) + 1);
    expect([...perEvent.keys()].sort()).toEqual([...events.keys()].sort());
    expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
    expect(posts.filter((p) => p.round === 5)).toEqual([]);
    // A firing event reaches the receiver before the event that resolves it.
    for (const e of events.values()) {
      if (e.kind !== 'resolved') continue;
      const firing = [...events.values()].find((f) => f.kind === 'firing' && alertOf(f.id) === alertOf(e.id) && f.at < e.at);
      if (firing) expect(delivered.findIndex((p) => p.id === firing.id)).toBeLessThan(delivered.findIndex((p) => p.id === e.id));
    }
    const upStatus = await readDeliveryStatus(storage, MODEL);
    expect(upStatus.channels['ops-webhook']).toMatchObject({ pending: 0, last_error: null });
    expect(upStatus.channels['ops-webhook'].last_success_at).not.toBeNull();
  }, 240_000);
});
