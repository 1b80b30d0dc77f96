import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';

/** `profile --engine`: the flags, and a Java that cannot run Spark, without starting Spark. */
let dir: string;
let store: string;

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main([...args, '--store', store], { log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return { code, lines };
}

async function fakeJava(name: string, output: string): Promise<string> {
  const home = join(dir, name);
  await mkdir(join(home, 'bin'), { recursive: true });
  await writeFile(join(home, 'bin', 'java'), `#!/bin/sh\necho '${output}' >&2\n`);
  await chmod(join(home, 'bin', 'java'), 0o755);
  return home;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-spark-cli-'));
  store = join(dir, 'store');
  expect((await run(['init'])).code).toBe(0);
  await mkdir(join(store, 'models', 'm'), { recursive: true });
  await writeFile(join(store, 'models', 'm', 'model.json'), JSON.stringify({ version: 1, model: 'm', features: [] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('profile --engine', () => {
  it('rejects an unknown engine and --spark-master without --engine spark', async () => {
    expect(await run(['profile', '--engine', 'flink'])).toEqual({ code: 2, lines: ['driftwatch profile: --engine must be duckdb or spark, got "flink"'] });
    expect(await run(['profile', '--spark-master', 'local[2]'])).toEqual({ code: 2, lines: ['driftwatch profile: --spark-master needs --engine spark'] });
    const bad = await run(['profile', '--engine', 'spark', '--spark-master', 'local[two]']);
    expect(bad.code).toBe(2);
    expect(bad.lines[0]).toMatch(/--spark-master "local\[two\]" is not a Spark master URL such as local\[2\]/);
    expect((await run(['run', '--once', '--engine', 'flink'])).code).toBe(2);
  });

  it('stops with one line naming JDK 17 and JAVA_HOME when Java is too old or missing', async () => {
    const saved = process.env.JAVA_HOME;
    try {
      process.env.JAVA_HOME = await fakeJava('jdk8', 'java version "1.8.0_381"');
      const old = await run(['profile', '--engine', 'spark']);
      expect(old.code).toBe(1);
      expect(old.lines).toEqual([`driftwatch profile: the Spark engine needs JDK 17 or later, but \`${join(process.env.JAVA_HOME, 'bin', 'java')} (JAVA_HOME)\` is Java 8; install a JDK 17+ (e.g. apt-get install openjdk-17-jdk-headless) and put it on PATH or set JAVA_HOME to it`]);
      process.env.JAVA_HOME = join(dir, 'no-such-jdk');
      const missing = await run(['profile', '--engine', 'spark']);
      expect(missing.code).toBe(1);
      expect(missing.lines[0]).toMatch(/needs Java \(JDK 17 or later\), but `.*no-such-jdk\/bin\/java \(JAVA_HOME\)` was not found; .*set JAVA_HOME/);
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });
});
