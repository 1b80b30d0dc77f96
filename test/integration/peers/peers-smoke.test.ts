import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PeersResult } from '@/test/bench/peers/peers.bench';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const TOOLS = ['driftwatch', 'nannyml (KS)', 'nannyml (JS)', 'evidently', 'whylogs'];

/** `npm run bench -- peers --quick --json`: the harness end to end on its smoke sample, so it cannot rot. */
function runSmoke(): Promise<PeersResult> {
  return new Promise((res, rej) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/run.ts', 'peers', '--quick', '--json'], { cwd: ROOT, maxBuffer: 64 * 2 ** 20 }, (err, out, errOut) => {
      if (err) rej(new Error(`peers smoke run failed: ${errOut.trim().split('\n').slice(-12).join('\n')}`));
      else res((JSON.parse(out) as { peers: PeersResult }).peers);
    });
  });
}

describe('peer harness, smoke sample', () => {
  it('scores every tool on every dataset, and driftwatch flags the injected unit change', async () => {
    const r = await runSmoke();
    expect(r.sample).toBe('smoke');
    expect(r.datasets.map((d) => d.name)).toEqual(['car-loan-faults']);
    for (const d of r.datasets) {
      for (const tool of TOOLS) {
        const rows = r.rows.filter((x) => x.dataset === d.name && x.tool === tool);
        expect(rows, `${d.name} / ${tool}`).toHaveLength(1);
        const row = rows[0];
        expect(row.right + row.missed).toBe(d.truth_cells);
        for (const n of [row.false_stable, row.false_other, row.quiet_windows_flagged]) expect(Number.isInteger(n) && n >= 0).toBe(true);
        expect(row.wall_s).toBeGreaterThan(0);
        expect(row.peak_rss_mib).toBeGreaterThan(10);
      }
    }
    const dw = r.rows.find((x) => x.dataset === 'car-loan-faults' && x.tool === 'driftwatch')!;
    expect(dw.flagged).toContain('7:driver_tenure');
    expect(Object.keys(r.versions).sort()).toEqual(['driftwatch', 'evidently', 'nannyml', 'whylogs']);
  }, 600_000);
});
