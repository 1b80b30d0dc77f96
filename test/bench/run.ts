import { cpus, totalmem } from 'node:os';
import { benchCapture } from './capture.bench';
import { benchCompare } from './compare.bench';
import { benchDashboard, benchDemoFirstLook, setClients } from './dashboard.bench';
import { benchLoad } from './load.bench';
import { benchLabels } from './labels.bench';
import { benchDigest } from './digest.bench';
import { benchLargeNdjson, benchPipeline } from './pipeline.bench';
import { benchPeers } from './peers/peers.bench';
import { peersTable, writePeersDoc } from './peers/report';

/**
 * `npm run bench -- <suite…> [--json] [--quick] [--large] [--clients N] [--load-only]`: suites
 * (`labels`: 1 M labels added and joined, and a 30-day performance query; not run by default)
 * print a table, or one JSON object. `--large` adds the 2 GB NDJSON ingest and profile to
 * `pipeline` (several minutes). `--clients N` (dashboard) sets the concurrent clients of the
 * 200-feature figures (default 10) and adds "under load": the demo store's sessions by 1 user,
 * then by N at once; `--load-only` runs only that part. `peers` (not run by default: it needs a
 * Python environment, made once by scripts/peers/setup-venv.sh) runs driftwatch beside NannyML,
 * Evidently and whylogs; `--quick` is its smoke sample, `--datasets=a,b` picks datasets and
 * `--write-docs` writes the table into docs/peers.md; `--spark` adds the Spark engine's rows (local[1] and
 * local[2]: wall time and speed-up; needs Java 17+ and scripts/spark/setup-venv.sh); `--engines-only` leaves the
 * peer tools out (driftwatch's rows alone: the embedded engine, and Spark's with `--spark`). `capture` (not run by default: it starts
 * redis-server and goaws) times the prediction logger and the collector from client to store.
 */
const SUITES = ['digest', 'pipeline', 'dashboard', 'labels', 'peers', 'capture'] as const;
const DEFAULT_SUITES = ['digest', 'pipeline', 'dashboard'] as const;
type Suite = (typeof SUITES)[number];

function parseArgs(argv: string[]): { suites: Suite[]; json: boolean; quick: boolean; large: boolean; clients: number | undefined; loadOnly: boolean; datasets: string[]; writeDocs: boolean; spark: boolean; enginesOnly: boolean } {
  const json = argv.includes('--json');
  const datasets = (argv.find((a) => a.startsWith('--datasets='))?.slice('--datasets='.length) ?? '').split(',').filter(Boolean);
  const writeDocs = argv.includes('--write-docs');
  const spark = argv.includes('--spark');
  const enginesOnly = argv.includes('--engines-only');
  const quick = argv.includes('--quick');
  const large = argv.includes('--large');
  const loadOnly = argv.includes('--load-only');
  const at = argv.indexOf('--clients');
  const clients = at >= 0 ? Number(argv[at + 1]) : undefined;
  if (clients !== undefined && !(Number.isInteger(clients) && clients > 0)) {
    console.error(`bench: --clients needs a whole number above 0; got "${argv[at + 1] ?? ''}"`);
    process.exit(2);
  }
  const names = argv.filter((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1));
  for (const name of names) {
    if (!(SUITES as readonly string[]).includes(name)) {
      console.error(`bench: unknown suite "${name}"; available: ${SUITES.join(', ')}`);
      process.exit(2);
    }
  }
  return { suites: names.length ? (names as Suite[]) : [...DEFAULT_SUITES], json, quick, large, clients, loadOnly, datasets, writeDocs, spark, enginesOnly };
}

const fmt = (x: number, digits = 3): string => (Math.abs(x) >= 1e5 ? x.toExponential(2) : Number(x.toPrecision(digits)).toString());

async function main(): Promise<void> {
  const { suites, json, quick, large, clients, loadOnly, datasets, writeDocs, spark, enginesOnly } = parseArgs(process.argv.slice(2));
  if (clients !== undefined) setClients(clients);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const out: Record<string, unknown> = { machine };
  for (const suite of suites) {
    if (suite === 'capture') {
      const r = await benchCapture(log, quick);
      out.capture = r;
      if (!json) {
        const us = (l: { p50: number; p99: number; p999: number; max: number }) => ({ p50: fmt(l.p50), p99: fmt(l.p99), 'p99.9': fmt(l.p999), max: fmt(l.max) });
        console.log(`\ncapture: log() of ${r.log_events.toLocaleString('en-US')} 20-feature events at ${r.log_rate_per_s.toLocaleString('en-US')}/s (µs) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table({
          'baseline: an empty call timed the same way': us(r.log_us_baseline),
          'log(), live collector': { ...us(r.log_us_live), dropped: r.log_dropped_live },
          'log(), black-holed collector': { ...us(r.log_us_black_holed), dropped: r.log_dropped_black_holed },
          ...(r.python_log_us_live ? { 'Python log(), live collector': { ...us(r.python_log_us_live), dropped: r.python_log_us_live.dropped } } : {}),
          ...(r.python_log_us_black_holed ? { 'Python log(), black-holed collector': { ...us(r.python_log_us_black_holed), dropped: r.python_log_us_black_holed.dropped } } : {}),
        });
        console.log(`\ncapture: a node:http prediction service, ${r.service_rounds} × ${r.service_requests.toLocaleString('en-US')} requests, 4 connections (ms, medians over rounds)`);
        console.table({
          'without a logger (baseline)': us(r.service_ms.none),
          'logging, collector black-holed': us(r.service_ms.black_holed),
          'logging, collector live': us(r.service_ms.live),
        });
        console.table({
          'added p99, black-holed (ms)': { value: fmt(r.added_p99_ms_black_holed), target: '< 1' },
          'added p99, live (ms)': { value: fmt(r.added_p99_ms_live), target: '' },
          'service heap growth after GC, black-holed (MiB)': { value: fmt(r.service_heap_growth_mib_black_holed), target: '≈ 0' },
          'log() p99, black-holed (µs)': { value: fmt(r.log_us_black_holed.p99), target: '< 50' },
        });
        console.log('\ncapture: client → source → collector → store (20-feature events; collector CPU from /proc)');
        console.table(
          r.end_to_end.map((e) => ({
            source: e.source,
            events: e.events,
            stored: e.stored,
            'wall (s)': fmt(e.wall_s),
            'events/s (wall)': Math.round(e.events_per_s_wall),
            'collector CPU (s)': fmt(e.collector_cpu_s),
            'events/s per core': Math.round(e.events_per_core_s),
            'collector RSS max / end (MiB)': `${Math.round(e.collector_rss_max_mib)} / ${Math.round(e.collector_rss_end_mib)}`,
            target: e.source === 'sqs' ? '' : '≥ 50,000 / core',
          })),
        );
      }
      continue;
    }
    if (suite === 'labels') {
      const r = await benchLabels(log, quick);
      out.labels = r;
      if (!json) {
        console.log(`\nlabels: ${r.labels.toLocaleString('en-US')} labels added and joined to ${r.predictions.toLocaleString('en-US')} predictions (Parquet)`);
        console.table([
          { step: 'labels add', s: fmt(r.add_s) },
          { step: 'join into performance profiles', s: fmt(r.join_s) },
          { step: 'labels/s (add + join)', s: fmt(r.labels_per_s) },
          { step: 'baseline: DuckDB reads and joins the same files', s: fmt(r.duckdb_join_s) },
          { step: '30-day performance query, median ms', s: fmt(r.query_30d_ms.median) },
          { step: '30-day performance query, p95 ms', s: fmt(r.query_30d_ms.p95) },
        ]);
      }
      continue;
    }
    if (suite === 'digest') {
      const r = benchDigest(quick ? [1e5, 1e6] : [1e5, 1e6, 1e7], log);
      out.digest = r;
      if (!json) {
        console.log(`\ndigest (${r.data}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table(
          r.by_n.map((x) => ({
            n: x.n,
            'ours M values/s': fmt(x.build_values_per_s / 1e6),
            'tdigest pkg M values/s': fmt(x.tdigest_pkg_build_values_per_s / 1e6),
            speedup: fmt(x.build_speedup_vs_tdigest_pkg),
            centroids: x.centroids,
            'JSON bytes': x.serialized_bytes,
            'pkg JSON bytes': x.tdigest_pkg_serialized_bytes,
            'max CDF error': fmt(x.max_cdf_error, 2),
            'pkg max CDF error': fmt(x.tdigest_pkg_max_cdf_error, 2),
          })),
        );
        console.table({
          'merge 720 digests (ms)': { ours: fmt(r.merge_720_ms), 'tdigest pkg': fmt(r.tdigest_pkg_merge_720_ms) },
          'merge 30 daily + 46 hourly (ms)': { ours: fmt(r.merge_30d_rollups_ms), 'tdigest pkg': '' },
          'merged max CDF error': { ours: fmt(r.merge_720_max_cdf_error, 2), 'tdigest pkg': fmt(r.tdigest_pkg_merge_720_max_cdf_error, 2) },
          'CDF query (µs)': { ours: fmt(r.cdf_query_us), 'tdigest pkg': fmt(r.tdigest_pkg_p_rank_us) },
        });
      }
    }
    if (suite === 'dashboard' && clients !== undefined) {
      const l = await benchLoad(log, clients);
      out.load = l;
      if (!json) {
        console.log(`\nunder load (demo store; sessions of the default view, 24 other 12 h windows, recomputed 7 d trends of 3 features; /api/models polled every 100 ms) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        const row = (x: typeof l.one) => ({
          requests: x.requests,
          'compare p50 / p95 (ms)': `${fmt(x.compare_p50_ms)} / ${fmt(x.compare_p95_ms)}`,
          'recomputed trend p50 / p95 (ms)': `${fmt(x.trend_recomputed_p50_ms)} / ${fmt(x.trend_recomputed_p95_ms)}`,
          '/api/models p95 / max (ms)': `${fmt(x.models_p95_ms)} / ${fmt(x.models_max_ms)} (${x.models_requests})`,
          'wall / server CPU / bench client CPU (s)': `${fmt(x.wall_s)} / ${fmt(x.server_cpu_s)} / ${fmt(x.client_cpu_s)}`,
          '503': x.busy_503,
          'computed / shared / cached': `${x.computed} / ${x.shared} / ${x.cached}`,
          'load average (start, end)': x.load_average.map((a) => a.toFixed(2)).join(', '),
        });
        console.table({ '1 user': row(l.one), [`${clients} users`]: row(l.many) });
        console.table({
          [`compare p95, ${clients} users ÷ 1 user`]: { value: fmt(l.compare_p95_ratio), target: '≤ 5' },
          [`recomputed trend p95, ${clients} users (ms)`]: { value: fmt(l.many.trend_recomputed_p95_ms), target: '≤ 2000' },
          [`/api/models p95 during the load (ms)`]: { value: fmt(l.many.models_p95_ms), target: '≤ 200' },
        });
      }
    }
    if (suite === 'dashboard' && !loadOnly) {
      const r = { ...(await benchDemoFirstLook(log)), ...(await benchDashboard(log)) };
      out.dashboard = r;
      if (!json) {
        const runs = (xs: number[]) => xs.map((x) => fmt(x)).join(', ');
        console.log(`\ndemo store, first look (fresh server or process each) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table({
          'first compare, 12 h (ms)': { runs: runs(r.demo_first_compare_12h_ms), target: '≤ 300' },
          'first trend, 7 d (ms)': { runs: runs(r.demo_first_trend_7d_ms), target: '≤ 500' },
          'first model page, HTML (ms)': { runs: runs(r.demo_first_model_page_ms), target: '' },
          'driftwatch compare --window 1d, wall (ms)': { runs: runs(r.demo_cli_compare_1d_ms), target: '≤ 1000' },
        });
        console.log(`\ndashboard (${r.data}, ${r.clients} concurrent clients) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table({
          'compare, everyone on the default view, p95 (ms)': { value: fmt(r.compare_same_view_p95_ms), p50: fmt(r.compare_same_view_p50_ms), 'first request': '', target: '≤ 150' },
          'compare, 24 different 12 h windows, p95 (ms)': { value: fmt(r.compare_12h_p95_ms), p50: fmt(r.compare_12h_p50_ms), 'first request': fmt(r.compare_12h_cold_ms), target: '' },
          'compare, 24 different 30 d windows, p95 (ms)': { value: fmt(r.compare_30d_p95_ms), p50: fmt(r.compare_30d_p50_ms), 'first request': fmt(r.compare_30d_cold_ms), target: '' },
          'trend 30 d, 12 h window, 1 h step, p95 (ms)': { value: fmt(r.trend_30d_p95_ms), p50: fmt(r.trend_30d_p50_ms), 'first request': fmt(r.trend_30d_cold_ms), target: '≤ 300' },
          'first compare on a fresh server, 12 h (ms)': { value: r.first_compare_12h_ms.map((x) => fmt(x)).join(', '), p50: '', 'first request': '', target: '≤ 300' },
          'first trend on a fresh server, 30 d (ms)': { value: r.first_trend_30d_ms.map((x) => fmt(x)).join(', '), p50: '', 'first request': '', target: '≤ 500' },
          'CLI compare --window 1d, bin (ms, wall)': { value: r.cli_compare_1d_bin_ms.map((x) => fmt(x)).join(', '), p50: '', 'first request': '', target: '≤ 1000' },
          'CLI compare --window 1d, node --import tsx (ms, wall)': { value: r.cli_compare_1d_node_tsx_ms.map((x) => fmt(x)).join(', '), p50: '', 'first request': '', target: '' },
          'trend 7 d, 6 h window, recomputed (ms)': { value: fmt(r.trend_7d_6h_recomputed_ms), p50: '', 'first request': '', target: '' },
          'model page first-load JS (KB gzip)': { value: fmt(r.model_page_first_load_js_gzip_bytes / 1024), p50: '', 'first request': '', target: '≤ 250' },
          'feature page first-load JS (KB gzip)': { value: fmt(r.feature_page_first_load_js_gzip_bytes / 1024), p50: '', 'first request': '', target: '' },
        });
      }
    }
    if (suite === 'pipeline') {
      const profiling = await benchPipeline(log, quick ? [250_000, 500_000] : [1_000_000, 2_000_000]);
      const compare = await benchCompare(log);
      const big = large ? await benchLargeNdjson(log) : undefined;
      out.pipeline = { ...profiling, ...compare, ...(big ? { large_ndjson: big } : {}) };
      if (!json) {
        console.log(`\npipeline (${profiling.data}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table([...profiling.parquet.map((r) => ({ format: 'parquet', ...r })), ...profiling.ndjson.map((r) => ({ format: 'ndjson', ...r }))]);
        console.table({
          'profiling, Parquet (M feature-values/s)': { value: fmt(profiling.parquet_feature_values_per_s / 1e6), target: '≥ 10' },
          'profiling, NDJSON (M feature-values/s)': { value: fmt(profiling.ndjson_feature_values_per_s / 1e6), target: '≥ 2' },
          'peak RSS, largest / smallest run (Parquet)': { value: fmt(profiling.parquet_peak_rss_ratio), target: '≈ 1' },
          'peak RSS, largest / smallest run (NDJSON)': { value: fmt(profiling.ndjson_peak_rss_ratio), target: '≈ 1' },
          'compare 30 d × 200 features, served (ms)': { value: fmt(compare.compare_30d_200_features_served_ms), target: '≤ 200' },
          'compare 30 d × 200 features, warm (ms)': { value: fmt(compare.compare_30d_200_features_ms), target: '' },
          'compare 30 d × 200 features, cold (ms)': { value: fmt(compare.compare_30d_200_features_cold_ms), target: '' },
          ...(big
            ? {
                [`${(big.file_bytes / 1e9).toFixed(2)} GB NDJSON: ingest peak RSS (MiB)`]: { value: big.ingest_peak_rss_mib, target: '≤ 1024' },
                [`${(big.file_bytes / 1e9).toFixed(2)} GB NDJSON: profile peak RSS (MiB)`]: { value: big.profile_peak_rss_mib, target: '≤ 1024' },
                [`${(big.file_bytes / 1e9).toFixed(2)} GB NDJSON: profile (M feature-values/s)`]: { value: fmt(big.feature_values_per_s / 1e6), target: '' },
              }
            : {}),
        });
      }
    }
    if (suite === 'peers') {
      const r = await benchPeers(log, { smoke: quick, datasets, spark, enginesOnly });
      out.peers = r;
      if (!json) {
        console.log(`\npeers (${r.sample} sample; right = drift cells flagged of the truth's) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
        console.table(peersTable(r));
        if (r.spark) console.table(r.spark.map((x) => ({ dataset: x.dataset, rows: x.rows, features: x.features, 'Spark local[1] profile (s)': fmt(x.profile_local1_s), 'Spark local[2] profile (s)': fmt(x.profile_local2_s), 'speed-up 1→2 cores': fmt(x.speedup_1_to_2), 'embedded profile (s)': fmt(x.profile_duckdb_s) })));
      }
      if (writeDocs && enginesOnly) console.error('bench: --write-docs is ignored with --engines-only (docs/peers.md compares the peers too)');
      else if (writeDocs) await writePeersDoc('docs/peers.md', r, `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.date.slice(0, 10)}`);
    }
  }
  if (json) console.log(JSON.stringify(out));
}

void main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
