import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Spool } from '@/lib/collector/spool';

let dir: string;
let s: Spool | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-spool-size-'));
});
afterEach(async () => {
  await s?.close();
  s = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('spool: a max below the segment size (M2)', () => {
  it('spool max 32 MiB, 200 appends of 1 MiB released as they go: never refused', async () => {
    s = await Spool.open({ dir, maxBytes: 32 << 20 });
    expect(s.segmentBytes).toBe(4 << 20);
    const mib = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 200; i++) {
      const record = await s.append(mib);
      s.release(record);
    }
    expect(s.bytes).toBeLessThanOrEqual(s.segmentBytes);
  });

  it('an idle, fully released active segment is sealed and deleted', async () => {
    s = await Spool.open({ dir, idleSealMs: 20 });
    expect(s.segmentBytes).toBe(64 << 20);
    const record = await s.append(Buffer.from('{"a":1}\n'));
    expect(s.bytes).toBeGreaterThan(0);
    s.release(record);
    await vi.waitFor(async () => {
      expect(s!.bytes).toBe(0);
      expect((await readdir(dir)).filter((n) => n.endsWith('.spool'))).toEqual([]);
    });
    // And appending goes on into a new segment.
    s.release(await s.append(Buffer.from('{"a":2}\n')));
  });
});
