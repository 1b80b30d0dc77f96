import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

async function generate(dir: string, rows: number): Promise<{ parquet: string; ndjson: string }> {
  const parquet = join(dir, `wide-${rows}.parquet`);
  const ndjson = join(dir, `events-${rows}.ndjson.gz`);
  const names = [...Array.from({ length: NUMERIC }, (_, j) => `n${j}`), ...Array.from({ length: CATEGORICAL }, (_, j) => `c${j}`)];
  await withConnection(async (c) => {
    await c.run(`SELECT setseed(0.42)`);
    await c.run(`COPY (${tableSql(rows)}) TO ${sqlString(parquet)} (FORMAT parquet)`);
    const features = `{${names.map((n) => `'${n}': ${n}`).join(', ')}}`;
    await c.run(
      `COPY (SELECT 'bench' AS model, CAST(id AS VARCHAR) AS id, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, ${features} AS features, score FROM read_parquet(${sqlString(parquet)})) ` +
        `TO ${sqlString(ndjson)} (FORMAT json, COMPRESSION gzip)`,
    );
  });
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
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, storeDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

async function childMain(storeDir: string): Promise<void> {
  let sampled = process.memoryUsage().rss;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  const result = await profileModel({ storage: new LocalStorage(storeDir), model: 'bench' });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  process.send?.({ hours: result.hours, seconds, peakRssMib: await peakRssMib(sampled) } satisfies ChildResult);
}

if (process.argv[2] === CHILD_FLAG) await childMain(process.argv[3]);

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
