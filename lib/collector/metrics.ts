import type { CollectorMetrics } from './types';

export const METRIC_PREFIX = 'driftwatch_collector_';

const HELP: Record<string, string> = {
  events_received_total: 'Events received (non-blank lines), by source.',
  events_written_total: 'Events written to the store in raw batches, by model.',
  events_quarantined_total: 'Events rejected and written to quarantine, by reason.',
  events_duplicate_total: 'Events dropped as duplicates of an id already buffered.',
  batches_written_total: 'Raw batch files written.',
  bytes_written_total: 'Bytes written to the store (gzip batch files).',
  write_retries_total: 'Store writes retried after a failure.',
  write_failures_total: 'Store write attempts that failed.',
  buffered_events: 'Events held in memory, not yet written.',
  buffered_bytes: 'Bytes of events held in memory, not yet written.',
  oldest_buffered_age_seconds: 'Age of the oldest buffered event (the batch age).',
  spool_bytes: 'Bytes of the local spool on disk.',
  spool_segments: 'Segment files of the local spool.',
  backpressure_total: 'Messages refused because the spool or the buffer was full.',
};

interface Family {
  type: 'counter' | 'gauge';
  samples: Map<string, { labels: Record<string, string>; value: number }>;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelKey = (labels: Record<string, string> | undefined): string =>
  labels === undefined ? '' : Object.keys(labels).sort().map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A small Prometheus registry (text format 0.0.4): counters and gauges with labels. */
export class MetricsRegistry implements CollectorMetrics {
  private readonly families = new Map<string, Family>();
  /** Refreshes gauges (buffer sizes, batch age) just before rendering. */
  beforeRender: (() => void) | undefined;

  constructor(private readonly help: Record<string, string> = HELP) {}

  private family(name: string, type: Family['type']): Family {
    const full = name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(full)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    let f = this.families.get(full);
    if (!f) this.families.set(full, (f = { type, samples: new Map() }));
    return f;
  }

  inc(name: string, labels?: Record<string, string>, by = 1): void {
    const f = this.family(name, 'counter');
    const key = labelKey(labels);
    const s = f.samples.get(key);
    if (s) s.value += by;
    else f.samples.set(key, { labels: { ...labels }, value: by });
  }

  set(name: string, value: number, labels?: Record<string, string>): void {
    const f = this.family(name, 'gauge');
    const key = labelKey(labels);
    const s = f.samples.get(key);
    if (s) s.value = value;
    else f.samples.set(key, { labels: { ...labels }, value });
  }

  /** The current value of one sample (tests, health). */
  get(name: string, labels?: Record<string, string>): number {
    const full = name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
    return this.families.get(full)?.samples.get(labelKey(labels))?.value ?? 0;
  }

  /** Sum of a metric over all its label sets. */
  total(name: string): number {
    const full = name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
    let sum = 0;
    for (const s of this.families.get(full)?.samples.values() ?? []) sum += s.value;
    return sum;
  }

  render(): string {
    this.beforeRender?.();
    const out: string[] = [];
    for (const [name, f] of [...this.families].sort((a, b) => a[0].localeCompare(b[0]))) {
      const short = name.slice(METRIC_PREFIX.length);
      out.push(`# HELP ${name} ${(this.help[short] ?? `driftwatch collector ${short.replace(/_/g, ' ')}`).replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${name} ${f.type}`);
      for (const [key, s] of f.samples) out.push(`${name}${key === '' ? '' : `{${key}}`} ${formatValue(s.value)}`);
    }
    return `${out.join('\n')}\n`;
  }
}

export function createMetrics(): MetricsRegistry {
  return new MetricsRegistry();
}
