import { layout } from '../format';
import type { Storage } from '../storage/storage';

/** Raw text kept per quarantined line; longer lines are cut (and say so). */
const MAX_RAW_CHARS = 64 * 1024;

/** Rejected lines of one ingested file: one NDJSON line `{line, reason, raw}` each, in one object. */
export class Quarantine {
  private readonly lines: string[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly model: string,
    private readonly batchId: string,
  ) {}

  add(line: number, reason: string, raw: string): void {
    const cut = raw.length > MAX_RAW_CHARS;
    this.lines.push(JSON.stringify({ line, reason, raw: cut ? raw.slice(0, MAX_RAW_CHARS) : raw, ...(cut ? { truncated: true } : {}) }));
  }

  get size(): number {
    return this.lines.length;
  }

  async write(): Promise<void> {
    if (this.lines.length > 0) await this.storage.write(layout.quarantine(this.model, this.batchId), `${this.lines.join('\n')}\n`);
  }
}
