import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStatus } from '@/lib/alerts';
import { LOCKED_EXIT_CODE, lockPrefix } from '@/lib/cli/commands/store-lock';
import { main } from '@/lib/cli/main';
import { openStorage } from '@/lib/storage';
import { Lease } from '@/lib/storage/lease';
import { MODEL, writeEvents } from './helpers';

/**
 * Issue #10, "doctor checks every file of a store": the id index, quarantine files, the alert
 * delivery status and lock folders. One damaged file of each kind is listed with its key;
 * `--repair` rebuilds or moves aside each as docs/operations.md says, and never runs under a lock.
 */
let dir: string;
let store: string;
const M = `models/${MODEL}`;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

/** `  key: problem` lines of doctor's report, by severity heading. */
function listed(out: string): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  let heading = '';
  for (const line of out.split('\n')) {
    const h = /^(damaged|stale): /.exec(line);
    if (h) heading = h[1];
    else if (/^ {2}\S/.test(line) && heading) (by[heading] ??= []).push(line.trim().split(': ')[0]);
  }
  return by;
}

const files = async (sub: string) => (await readdir(join(store, sub)).catch(() => [] as string[])).sort();

let idsKey: string;
let idsOriginal: Buffer;
let quarantineKey: string;
const orphanIdsKey = `${M}/ids/day=2026-11-09/gone-0.ids.gz`;
const deliveryKey = `${M}/state/alert-delivery.json`;
const staleLockKey = `${lockPrefix(MODEL, 'profile')}0000000007.json`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-doctor-files-'));
  store = join(dir, 'store');
  const input = join(dir, 'events.ndjson');
  await writeEvents(input, 0, 3, () => 1, 20);
  // One line that ingest rejects: a quarantine file to damage.
  await writeFile(input, `${await readFile(input, 'utf8')}{"model":"${MODEL}","id":"bad","ts":"not a time","features":{}}\n`);
  for (const args of [['init'], ['ingest', '--model', MODEL, '--file', input], ['profile']]) {
    const r = await cli(...args, '--store', store);
    expect(r.code, r.out).toBe(0);
  }
  // Format 2.0: the id index is per batch and day (1.x: per batch and hour).
  const idsDay = `${M}/ids/day=2026-11-01`;
  idsKey = `${idsDay}/${(await files(idsDay))[0]}`;
  idsOriginal = await readFile(join(store, idsKey));
  quarantineKey = `${M}/quarantine/${(await files(`${M}/quarantine`))[0]}`;
  expect((await cli('doctor', '--store', store, '--quiet')).out).toContain('no damaged files');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function damageEach(): Promise<void> {
  await writeFile(join(store, idsKey), idsOriginal.subarray(0, Math.floor(idsOriginal.length / 2)));
  await mkdir(join(store, orphanIdsKey, '..'), { recursive: true });
  await writeFile(join(store, orphanIdsKey), gunzipSync(idsOriginal)); // not gzip, and no raw batch of that name
  await writeFile(join(store, quarantineKey), `${(await readFile(join(store, quarantineKey), 'utf8')).split('\n')[0]}\n{"line":"one","reason":7}\n`);
  await writeFile(join(store, deliveryKey), '{"version":1,"channels":{"log":{"pending":-1}}');
  await writeStaleLock();
}

/** A lock of a profile run on another host that stopped renewing it an hour ago. */
async function writeStaleLock(): Promise<void> {
  await mkdir(join(store, staleLockKey, '..'), { recursive: true });
  const since = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await writeFile(join(store, staleLockKey), JSON.stringify({ owner: 'x', job: `profile of ${MODEL}`, pid: 4242, host: 'elsewhere', since, expires_at: new Date(Date.now() - 3_600_000).toISOString() }));
}

describe('doctor: id index, quarantine, alert delivery status and locks', () => {
  it('lists one damaged file of each kind by its key, the stale lock as a warning; exit 1', async () => {
    await damageEach();
    const found = await cli('doctor', '--store', store, '--quiet');
    expect(found.code, found.out).toBe(1);
    expect(listed(found.out)).toEqual({ damaged: [idsKey, orphanIdsKey, quarantineKey, deliveryKey].sort(), stale: [staleLockKey] });
    expect(found.out).toContain(`${idsKey}: not a readable gzip file: unexpected end of file`);
    expect(found.out).toContain(`rebuilt from the ids of its raw batch ${M}/raw/predictions/day=2026-11-01/`);
    expect(found.out).toMatch(/gone-0\.ids\.gz: .*\n {4}not derivable: moved aside: its raw batch is not in the store/);
    expect(found.out).toContain(`${quarantineKey}: line 2 is not a quarantine entry`);
    expect(found.out).toContain(`${deliveryKey}: not valid JSON`);
    expect(found.out).toMatch(/0000000007\.json: stale lock of profile of fault-model \(pid 4242 on host elsewhere since .*\): not renewed since/);
  });

  it('--repair while profile or evaluate holds the lock: exit 75 naming the holder, nothing repaired', async () => {
    const storage = openStorage(store);
    const lease = await Lease.acquire(storage, lockPrefix(MODEL, 'evaluate'), `evaluate of ${MODEL}`, { waitMs: 0 });
    try {
      const r = await cli('doctor', '--store', store, '--quiet', '--repair', '--wait', '0');
      expect(r.code, r.out).toBe(LOCKED_EXIT_CODE);
      expect(r.out).toMatch(new RegExp(`driftwatch doctor: --repair needs the store lock, nothing was repaired: evaluate of ${MODEL} is running \\(pid ${process.pid} on host ${hostname()} since \\d\\d:\\d\\d:\\d\\d UTC\\): run again later`));
    } finally {
      await lease.release();
    }
    expect(listed((await cli('doctor', '--store', store, '--quiet')).out).damaged).toHaveLength(4);
    // Doctor took the profile lock before it found evaluate busy (taking the stale one over, as any
    // profile run does) and released it.
    expect(await files(lockPrefix(MODEL, 'profile'))).toEqual([]);
  });

  it('--repair rebuilds the id index and the delivery status, moves the rest aside, removes the stale lock', async () => {
    await writeStaleLock();
    const r = await cli('doctor', '--store', store, '--quiet', '--repair');
    // Files were moved aside (their data is not derivable): exit 1, as for any moved-aside file.
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`repair: removed the stale lock ${staleLockKey}`);
    expect(r.out).toMatch(/doctor: repaired: 2 rebuilt, 2 moved aside, 1 stale lock removed/);
    expect(gunzipSync(await readFile(join(store, idsKey))).toString()).toBe(gunzipSync(idsOriginal).toString());
    expect(DeliveryStatus.parse(JSON.parse(await readFile(join(store, deliveryKey), 'utf8')))).toEqual({ version: 1, channels: {} });
    expect(await files(`${M}/quarantine`)).toEqual([]);
    expect(await files(lockPrefix(MODEL, 'profile'))).toEqual([]);
    expect(await files(lockPrefix(MODEL, 'evaluate'))).toEqual([]);
    const stamp = (await files('damaged'))[0];
    expect(await readFile(join(store, 'damaged', stamp, 'NOTE.txt'), 'utf8')).toContain(quarantineKey);
    expect(await readFile(join(store, 'damaged', stamp, orphanIdsKey))).toEqual(gunzipSync(idsOriginal));
    const again = await cli('doctor', '--store', store, '--quiet');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('no damaged files');
  });

  it('a stale lock alone is a warning: exit 0; a live one is no finding', async () => {
    await writeStaleLock();
    const stale = await cli('doctor', '--store', store, '--quiet');
    expect(stale.code, stale.out).toBe(0);
    expect(listed(stale.out)).toEqual({ stale: [staleLockKey] });
    await rm(join(store, staleLockKey));
    const lease = await Lease.acquire(openStorage(store), lockPrefix(MODEL, 'profile'), `profile of ${MODEL}`, { waitMs: 0 });
    try {
      expect((await cli('doctor', '--store', store, '--quiet')).out).toContain('no damaged files');
    } finally {
      await lease.release();
    }
  });
});
