import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqlString, withConnection } from '@/lib/duckdb';
import { ingest, profileModel } from '@/lib/profile';
import { LocalStorage } from '@/lib/storage';

/** Rows of the generated data per prediction hour: a busy model's hour. */
const ROWS_PER_HOUR = 50_000;
const NUMERIC = 16;
const CATEGORICAL = 4;
const FEATURES = NUMERIC + CATEGORICAL;

export interface PipelineRun {
  rows: number;
  hours: number;
  ingest_s: number;
  profile_s: number;
  /** rows × 21 (20 features and the score) / profile seconds, hourly summaries and daily rollups written. */
  feature_values_per_s: number;
  /** Peak RSS of a fresh process that only profiles (Node, DuckDB and the profile job together). */
  peak_rss_mib: number;
}

export interface PipelineBenchResult {
  data: string;
  parquet: PipelineRun[];
  ndjson: PipelineRun[];
  /** The largest run of each format. */
  parquet_feature_values_per_s: number;
  ndjson_feature_values_per_s: number;
  /** Peak RSS of the largest run over that of the smallest: ≈ 1 when memory does not grow with rows. */
  parquet_peak_rss_ratio: number;
  ndjson_peak_rss_ratio: number;
}

/** The generated table as SQL: normal, lognormal and integer features, 12-level categories, one row every 72 ms. */
function tableSql(rows: number): string {
  const numeric = Array.from({ length: NUMERIC }, (_, j) => {
    const z = `(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))`;
    if (j % 4 === 0) return `exp(3 + ${z}) AS n${j}`;
    if (j % 4 === 1) return `round(5 + 2 * ${z}) AS n${j}`;
    return `${100 * j} + 15 * ${z} AS n${j}`;
  });
  const categorical = Array.from({ length: CATEGORICAL }, (_, j) => `'level-' || CAST(floor(12 * random() * random()) AS INTEGER) AS c${j}`);
  const stepUs = Math.round(3_600_000_000 / ROWS_PER_HOUR);
  return `SELECT i AS id, make_timestamp(1767225600000000 + i * ${stepUs}) AS timestamp, random() AS score, ${[...numeric, ...categorical].join(', ')} FROM range(${rows}) t(i)`;
}

/** Prediction events of `rows` generated rows as NDJSON, gzip or plain. */
async function writeEvents(parquet: string, out: string, gzip: boolean): Promise<void> {
  const names = [...Array.from({ length: NUMERIC }, (_, j) => `n${j}`), ...Array.from({ length: CATEGORICAL }, (_, j) => `c${j}`)];
  const features = `{${names.map((n) => `'${n}': ${n}`).join(', ')}}`;
  await withConnection((c) =>
    c.run(
      `COPY (SELECT 'bench' AS model, CAST(id AS VARCHAR) AS id, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, ${features} AS features, score FROM read_parquet(${sqlString(parquet)})) ` +
        `TO ${sqlString(out)} (FORMAT json${gzip ? ', COMPRESSION gzip' : ''})`,
    ),
  );
}

async function generate(dir: string, rows: number): Promise<{ parquet: string; ndjson: string }> {
  const parquet = join(dir, `wide-${rows}.parquet`);
  const ndjson = join(dir, `events-${rows}.ndjson.gz`);
  await withConnection(async (c) => {
    await c.run(`SELECT setseed(0.42)`);
    await c.run(`COPY (${tableSql(rows)}) TO ${sqlString(parquet)} (FORMAT parquet)`);
  });
  await writeEvents(parquet, ndjson, true);
  return { parquet, ndjson };
}

async function run(dir: string, file: string, rows: number, wide: boolean, log: (line: string) => void): Promise<PipelineRun> {
  const storeDir = await mkdtemp(join(dir, 'store-'));
  try {
    const storage = new LocalStorage(storeDir);
    const t0 = performance.now();
    await ingest({ storage, model: 'bench', file, ...(wide ? { idCol: 'id', timestampCol: 'timestamp', scoreCol: 'score' } : {}) });
    const ingestS = (performance.now() - t0) / 1000;
    const child = await profileInChild(storeDir);
    const out: PipelineRun = {
      rows,
      hours: child.hours,
      ingest_s: ingestS,
      profile_s: child.seconds,
      feature_values_per_s: (rows * (FEATURES + 1)) / child.seconds,
      peak_rss_mib: child.peakRssMib,
    };
    log(`pipeline ${wide ? 'parquet' : 'ndjson '} ${rows} rows: ingest ${ingestS.toFixed(1)} s, profile ${child.seconds.toFixed(2)} s = ${(out.feature_values_per_s / 1e6).toFixed(1)} M feature-values/s, peak RSS ${out.peak_rss_mib} MiB`);
    return out;
  } finally {
    await rm(storeDir, { recursive: true, force: true });
  }
}

interface ChildResult {
  hours: number;
  seconds: number;
  peakRssMib: number;
}

const CHILD_FLAG = '--pipeline-bench-child';

/** Profile the store in a fresh process, so its peak RSS is the profile's and nothing else's. */
function profileInChild(storeDir: string): Promise<ChildResult> {
  return inChild(['profile', storeDir]);
}

/** Ingest an events file in a fresh process (its peak RSS is the ingest's). */
function ingestInChild(storeDir: string, file: string): Promise<ChildResult> {
  return inChild(['ingest', storeDir, file]);
}

function inChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | undefined;
    child.on('message', (m) => (result = m as ChildResult));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`pipeline bench: profiling child exited with code ${code}`))));
  });
}

/**
 * Peak RSS of this process in MiB. Linux's VmHWM starts afresh at exec; getrusage's maxRSS does
 * not (a child forked from a 700 MiB parent reports 700 MiB before doing anything).
 */
async function peakRssMib(sampled: number): Promise<number> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kib) return Math.round(Number(kib) / 1024);
  } catch {
    // not Linux: fall back to sampling
  }
  return Math.round(sampled / 2 ** 20);
}

async function childMain(mode: string, storeDir: string, file: string | undefined): Promise<void> {
  let sampled = process.memoryUsage().rss;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  const storage = new LocalStorage(storeDir);
  const hours = mode === 'ingest' ? (await ingest({ storage, model: 'bench', file: file as string })).hours.length : (await profileModel({ storage, model: 'bench' })).hours;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  process.send?.({ hours, seconds, peakRssMib: await peakRssMib(sampled) } satisfies ChildResult);
}

if (process.argv[2] === CHILD_FLAG) await childMain(process.argv[3], process.argv[4], process.argv[5]);

/**
 * Profiling throughput (feature-values/s, the score counted as a feature) from raw Parquet (wide
 * tables) and raw NDJSON.gz (events), and peak RSS while profiling, at two data sizes with the
 * same rows per hour. Setup (generation, ingest) is not part of the throughput.
 */
export async function benchPipeline(log: (line: string) => void, sizes: readonly number[] = [1_000_000, 2_000_000]): Promise<PipelineBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-pipeline-'));
  try {
    const parquet: PipelineRun[] = [];
    const ndjson: PipelineRun[] = [];
    for (const rows of sizes) {
      log(`pipeline: generating ${rows} rows`);
      const files = await generate(dir, rows);
      parquet.push(await run(dir, files.parquet, rows, true, log));
      ndjson.push(await run(dir, files.ndjson, rows, false, log));
      await rm(files.parquet, { force: true });
      await rm(files.ndjson, { force: true });
    }
    const last = <T>(xs: T[]): T => xs[xs.length - 1];
    return {
      data: `${NUMERIC} numeric (normal, lognormal, integer) + ${CATEGORICAL} categorical features + score, ${ROWS_PER_HOUR} rows per hour`,
      parquet,
      ndjson,
      parquet_feature_values_per_s: last(parquet).feature_values_per_s,
      ndjson_feature_values_per_s: last(ndjson).feature_values_per_s,
      parquet_peak_rss_ratio: last(parquet).peak_rss_mib / parquet[0].peak_rss_mib,
      ndjson_peak_rss_ratio: last(ndjson).peak_rss_mib / ndjson[0].peak_rss_mib,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LargeNdjsonResult {
  file_bytes: number;
  rows: number;
  hours: number;
  ingest_s: number;
  ingest_peak_rss_mib: number;
  profile_s: number;
  profile_peak_rss_mib: number;
  feature_values_per_s: number;
}

/**
 * The memory target of issue #3: a plain NDJSON file of at least `minBytes` (2 GB) ingested and
 * profiled, each in its own process, peak RSS measured (target ≤ 1 GiB). Minutes of work: run by
 * `npm run bench -- pipeline --large`.
 */
export async function benchLargeNdjson(log: (line: string) => void, minBytes = 2e9): Promise<LargeNdjsonResult> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-bench-large-'));
  try {
    // ~490 bytes per event: generate enough rows, then check the size.
    const rows = Math.ceil(minBytes / 460 / ROWS_PER_HOUR) * ROWS_PER_HOUR;
    log(`large: generating ${rows} events as plain NDJSON …`);
    const parquet = join(dir, 'wide.parquet');
    await withConnection(async (c) => {
      await c.run(`SELECT setseed(0.42)`);
      await c.run(`COPY (${tableSql(rows)}) TO ${sqlString(parquet)} (FORMAT parquet)`);
    });
    const file = join(dir, 'events.ndjson');
    await writeEvents(parquet, file, false);
    await rm(parquet, { force: true });
    const { size } = await stat(file);
    if (size < minBytes) throw new Error(`bench: generated ${size} bytes, wanted at least ${minBytes}`);
    log(`large: ${(size / 1e9).toFixed(2)} GB; ingesting in a child process …`);
    const storeDir = await mkdtemp(join(dir, 'store-'));
    const ingested = await ingestInChild(storeDir, file);
    await rm(file, { force: true });
    log(`large: ingest ${ingested.seconds.toFixed(0)} s, peak RSS ${ingested.peakRssMib} MiB; profiling …`);
    const profiled = await profileInChild(storeDir);
    log(`large: profile ${profiled.seconds.toFixed(0)} s, peak RSS ${profiled.peakRssMib} MiB`);
    return {
      file_bytes: size,
      rows,
      hours: profiled.hours,
      ingest_s: ingested.seconds,
      ingest_peak_rss_mib: ingested.peakRssMib,
      profile_s: profiled.seconds,
      profile_peak_rss_mib: profiled.peakRssMib,
      feature_values_per_s: (rows * (FEATURES + 1)) / profiled.seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

