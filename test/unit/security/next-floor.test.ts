import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs CI script, without types
import { checkNextFloor, compareVersions, FLOOR } from '../../../scripts/check-next-floor.mjs';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'check-next-floor.mjs');

describe('next advisory floor (scripts/check-next-floor.mjs)', () => {
  it('orders versions, prereleases before their release', () => {
    expect(compareVersions('16.4.6', '16.4.1')).toBeGreaterThan(0);
    expect(compareVersions('16.3.0-preview.10', '16.3.0')).toBeLessThan(0);
    expect(compareVersions('15.2.3', '15.2.3')).toBe(0);
  });

  it('passes the installed next and fails a version with CVE-2025-29927 open', () => {
    expect(FLOOR).toBe('16.4.1');
    expect(execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8' })).toMatch(/^next 16\.\d+\.\d+ >= 16\.4\.1/);
    const old = spawnSync(process.execPath, [SCRIPT, '--version', '15.2.2'], { encoding: 'utf8' });
    expect(old.status).toBe(1);
    expect(old.stderr).toMatch(/GHSA-f82v-jwr5-mffw \(CVE-2025-29927\).*fixed in 15\.2\.3/);
    expect(checkNextFloor('16.4.0').ok).toBe(false);
    expect(checkNextFloor('16.4.0').open.map((a: { id: string }) => a.id)).toEqual(['GHSA-xqc2-xf4c-x3h3']);
  });
});
