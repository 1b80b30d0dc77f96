import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `import { createPredictionLogger } from 'driftwatch/client'` from a consumer: the compiled package
 * part loads in plain Node, and imports nothing but node:* (and, lazily, the two optional SDKs).
 */
const ROOT = resolve('.');
const DIST = join(ROOT, 'dist/client');
/** What the compiled files may import at all; the first two only from the Redis/SQS transports, lazily. */
const OPTIONAL = ['ioredis', '@aws-sdk/client-sqs', '@aws-sdk/core/protocols'];
let consumer = '';

interface Imports {
  static: string[];
  dynamic: string[];
}

function importsOf(js: string): Imports {
  const stat = [...js.matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  const dynamic = [...js.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return { static: stat, dynamic };
}

beforeAll(async () => {
  const build = spawnSync('npm', ['run', '--silent', 'build:client'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr + build.stdout).toBe(0);
  consumer = await mkdtemp(join(tmpdir(), 'driftwatch-consumer-'));
  await mkdir(join(consumer, 'node_modules'));
  await symlink(ROOT, join(consumer, 'node_modules', 'driftwatch'), 'dir');
}, 120_000);

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe("the 'driftwatch/client' package export", () => {
  it('compiles to ESM that imports only node:*, its own files and (lazily) ioredis / the SQS SDK', async () => {
    const files = (await readdir(DIST)).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    const graph = new Map<string, Imports>();
    for (const f of files) graph.set(f, importsOf(await readFile(join(DIST, f), 'utf8')));
    for (const [file, { static: s, dynamic: d }] of graph) {
      for (const spec of [...s, ...d]) {
        const ok = spec.startsWith('node:') || (spec.startsWith('./') && spec.endsWith('.js')) || OPTIONAL.includes(spec);
        expect(ok, `${file} imports ${spec}`).toBe(true);
      }
    }
    // Everything loaded by importing the package (its static closure) is node:* or its own files.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of graph.get(file)!.static) {
        if (spec.startsWith('./')) visit(spec.slice(2));
        else expect(spec.startsWith('node:'), `${file} statically imports ${spec}`).toBe(true);
      }
    };
    visit('index.js');
    expect([...seen].sort()).not.toContain('redis-transport.js');
    expect([...seen].sort()).not.toContain('sqs-client.js');
    expect(graph.get('transport.js')!.dynamic.sort()).toEqual(['./redis-transport.js', './sqs-transport.js']);
  });

  it('loads in a plain Node process and logs through a custom transport', async () => {
    const script = join(consumer, 'use.mjs');
    await writeFile(
      script,
      `import { createPredictionLogger, DROP_REASONS } from 'driftwatch/client';
import { createRequire } from 'node:module';
const bodies = [];
const logger = createPredictionLogger({ transport: { send: async (b) => { bodies.push(b); } } });
logger.log({ model: 'm', id: 'a', features: { x: 1 } });
logger.log('not an event');
await logger.close();
const pkg = createRequire(import.meta.url)('driftwatch/package.json');
console.log(JSON.stringify({ bodies, stats: logger.stats(), reasons: DROP_REASONS, name: pkg.name }));
`,
    );
    const r = spawnSync(process.execPath, [script], { cwd: consumer, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { bodies: string[]; stats: { sent: number; dropped: { invalid: number } }; name: string };
    expect(out.stats.sent).toBe(1);
    expect(out.stats.dropped.invalid).toBe(1);
    expect(out.name).toBe('driftwatch');
    expect(JSON.parse(out.bodies[0])).toMatchObject({ model: 'm', id: 'a', features: { x: 1 } });
  });

  it('type-checks a TypeScript consumer against the published .d.ts', async () => {
    await writeFile(
      join(consumer, 'use.ts'),
      `import { createPredictionLogger, type LoggerStats } from 'driftwatch/client';
const logger = createPredictionLogger({ transport: { type: 'http', url: 'http://127.0.0.1:1' }, maxQueue: 10 });
logger.log({ model: 'm', id: 1, features: {} });
const s: LoggerStats = logger.stats();
const n: number = s.dropped.queue_full;
void n;
// @ts-expect-error: an unknown transport type is a type error
createPredictionLogger({ transport: { type: 'kafka' } });
`,
    );
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: [], typeRoots: [join(ROOT, 'node_modules/@types')] }, files: ['use.ts'] }),
    );
    await writeFile(join(consumer, 'package.json'), '{"type":"module"}\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
