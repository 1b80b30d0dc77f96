/**
 * A progress bar on stderr for long CLI work. On a terminal it redraws one line; otherwise (CI,
 * pipes) it prints a line at most every 10% so logs stay short. Silent with `quiet`.
 */
export class Progress {
  private readonly start = Date.now();
  private lastPercent = -1;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, total: number, detail = ''): void {
    if (this.quiet || total <= 0) return;
    const fraction = Math.min(1, done / total);
    const percent = Math.floor(fraction * 100);
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw < 80 && done < total) return;
      this.lastDraw = now;
      const width = 28;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.stream.write(`\r${this.label} ${bar} ${String(percent).padStart(3)}% ${done}/${total} ${eta(this.start, fraction)} ${detail}`.slice(0, 160).padEnd(100));
      if (done >= total) this.stream.write('\n');
    } else if (Math.floor(percent / 10) > Math.floor(this.lastPercent / 10) || (done >= total && this.lastPercent < 100)) {
      this.stream.write(`${this.label}: ${percent}% (${done}/${total}) ${detail}\n`);
    }
    this.lastPercent = percent;
  }
}

function eta(start: number, fraction: number): string {
  if (fraction <= 0 || fraction >= 1) return '';
  const remaining = ((Date.now() - start) / fraction) * (1 - fraction);
  return `~${Math.ceil(remaining / 1000)}s left`;
}
