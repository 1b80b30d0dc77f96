import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { msUntilNextTick } from '@/lib/cli/commands/run-schedule';
import { NO_ALERT_RULES } from '@/lib/cli/commands/init';
import { alertConfig, parseConfig } from '@/lib/compare';
import { FORMAT_VERSION } from '@/lib/format';

describe('the driftwatch CLI', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const run = (...args: string[]) => main(args, { log: (l) => out.push(l), error: (l) => err.push(l) });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-cli-'));
    out = [];
    err = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('init creates a versioned store with a commented config that parses to the defaults', async () => {
    const store = join(dir, 's');
    expect(await run('init', '--store', store)).toBe(0);
    const manifest = JSON.parse(await readFile(join(store, 'driftwatch.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'driftwatch-store', version: FORMAT_VERSION });
    const config = await readFile(join(store, 'config.yaml'), 'utf8');
    expect(config).toMatch(/^# driftwatch configuration/);
    expect(parseConfig(config).evaluation.window).toBe('12h');
    expect(await run('init', '--store', store)).toBe(0);
    expect(out.at(-1)).toMatch(/already exists/);
  });

  it('init writes default alert rules for every feature (failing and drift, with hysteresis) and a log channel', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    const alerts = alertConfig(parseConfig(await readFile(join(store, 'config.yaml'), 'utf8')));
    expect(alerts.rules.map((r) => [r.name, r.verdicts, r.fire_after, r.resolve_after, r.channels, r.model, r.feature, r.reference])).toEqual([
      ['failing', ['failing'], 1, 3, ['log'], undefined, undefined, undefined],
      ['drift', ['drift'], 2, 3, ['log'], undefined, undefined, undefined],
    ]);
    expect(alerts.channels).toEqual([{ name: 'log', type: 'log' }]);
    expect(await run('evaluate', '--store', store)).toBe(0);
    expect(out.some((l) => l.startsWith('no alert rules'))).toBe(false);
  });

  it('evaluate says when config.yaml has no alert rule, and how to add one', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    await writeFile(join(store, 'config.yaml'), 'evaluation:\n  window: 12h\n');
    expect(await run('evaluate', '--store', store)).toBe(0);
    expect(out.at(-1)).toBe(NO_ALERT_RULES);
    expect(NO_ALERT_RULES).toMatch(/^no alert rules configured in config\.yaml: .*alerts\.rules.*name: drift-or-failing/);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/, 2],
    [['compare', '--store', '%DIR%'], /is not a driftwatch store: run `driftwatch init/, 2],
    [['compare', '--bogus'], /Unknown option '--bogus'/, 2],
  ])('%j fails with one line that says what to do', async (args, message, code) => {
    expect(await run(...args.map((a) => a.replace('%DIR%', dir)))).toBe(code);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  it('reference add and compare warn about a reference too small to calibrate from', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    const file = join(dir, 'small.csv');
    await writeFile(file, ['ts,x', ...Array.from({ length: 300 }, (_, i) => `2026-11-01T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z,${i % 17}`)].join('\n'));
    expect(await run('reference', 'add', '--store', store, '--model', 'm', '--name', 'test', '--file', file, '--timestamp-col', 'ts')).toBe(0);
    const warning = err.find((l) => l.startsWith('warning: reference "test" has'));
    expect(warning).toMatch(/thresholds need at least 10 chunks of 500 rows/);
    out.length = 0;
    expect(await run('compare', '--store', store, '--model', 'm', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-01T05:00:00Z')).toBe(0);
    expect(out.join('\n')).toContain(`  warning: ${warning!.slice('warning: '.length)}`);
  });

  it('refuses "live" as a reference name: it is the window\'s own name in every view', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    expect(await run('reference', 'add', '--store', store, '--model', 'm', '--name', 'live', '--file', join(dir, 'any.csv'))).toBe(2);
    expect(err.at(-1)).toBe('driftwatch reference add: --name "live" "live" is reserved for the live window');
  });

  it('names the missing or bad option', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    expect(await run('compare', '--store', store)).toBe(2);
    expect(err.at(-1)).toMatch(/--model is required/);
    expect(await run('compare', '--store', store, '--model', '../etc')).toBe(2);
    expect(err.at(-1)).toMatch(/--model "\.\.\/etc" must be/);
    expect(await run('compare', '--store', store, '--model', 'm', '--metric', 'cosine')).toBe(2);
    expect(err.at(-1)).toMatch(/--metric "cosine" is not one of area, ks/);
    expect(await run('compare', '--store', store, '--model', 'm', '--from', 'yesterday')).toBe(2);
    expect(err.at(-1)).toMatch(/--from: not a timestamp \(use ISO 8601, e.g. 2026-11-29T08:00:00Z\); got "yesterday"/);
    expect(await run('compare', '--store', store, '--model', 'm')).toBe(2);
    expect(err.at(-1)).toMatch(/no model "m" in .*: add a reference first/);
  });

  it('refuses a store of a newer major format version', async () => {
    const store = join(dir, 's');
    await run('init', '--store', store);
    await writeFile(join(store, 'driftwatch.json'), JSON.stringify({ format: 'driftwatch-store', version: '3.0', created_at: 'x' }));
    expect(await run('evaluate', '--store', store)).toBe(1);
    expect(err.at(-1)).toContain(`this store is format 3.0, but this driftwatch reads format ${FORMAT_VERSION} (major 2)`);
  });

  it('refuses to read a 1.x store (one file per hour) and names the command that converts it', async () => {
    const store = join(dir, 'old');
    await run('init', '--store', store);
    await writeFile(join(store, 'driftwatch.json'), JSON.stringify({ format: 'driftwatch-store', version: '1.3', created_at: 'x' }));
    expect(await run('evaluate', '--store', store)).toBe(1);
    expect(err.at(-1)).toContain('this store is format 1.3, but this driftwatch reads format 2.0: run `driftwatch migrate`');
  });

  it('schedules the next cycle at the next whole hour plus a grace minute', () => {
    expect(msUntilNextTick(Date.parse('2026-11-29T08:59:00Z'), 3_600_000)).toBe(2 * 60_000);
    expect(msUntilNextTick(Date.parse('2026-11-29T09:00:00Z'), 3_600_000)).toBe(61 * 60_000);
  });
});
