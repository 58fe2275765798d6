// Progress of long work (training epochs): a bar redrawn in place on a terminal, a plain line every
// tenth of the way elsewhere (CI logs, pipes), nothing with --quiet.

/** Where progress goes: process.stderr, or a test's recorder. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type ProgressMode = "bar" | "lines" | "quiet";

export interface ProgressOptions {
  /** Steps in all (epochs). */
  total: number;
  /** What is running, at the start of every line ("xor · two layers"). */
  label: string;
  stream: ProgressStream;
  /** Default: "bar" on a terminal, "lines" otherwise. */
  mode?: ProgressMode;
  /** Milliseconds now (injected so tests need no clock). */
  now?: () => number;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function formatCost(cost: number | undefined): string {
  if (cost === undefined) return "";
  return ` cost ${Number.isFinite(cost) ? cost.toPrecision(4) : String(cost)}`;
}

export class Progress {
  readonly mode: ProgressMode;
  private readonly started: number;
  private readonly now: () => number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private nextLine = 1;
  private drawn = false;

  constructor(private readonly options: ProgressOptions) {
    this.mode = options.mode ?? (options.stream.isTTY ? "bar" : "lines");
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Step `done` of total finished, with the cost it reached. */
  update(done: number, cost?: number): void {
    if (this.mode === "quiet") return;
    const { total } = this.options;
    const t = this.now();
    const elapsed = t - this.started;
    const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    if (this.mode === "lines") {
      // a line at every tenth of the way (and the last step), so logs stay short
      const tenth = Math.floor((done * 10) / total);
      if (done < total && tenth < this.nextLine) return;
      this.nextLine = tenth + 1;
      const etaText = done < total ? `, ETA ${formatDuration(eta)}` : "";
      this.options.stream.write(`${this.options.label}: epoch ${done}/${total}${formatCost(cost)} (${formatDuration(elapsed)}${etaText})\n`);
      return;
    }
    // redraw at most ten times a second; always draw the last step
    if (done < total && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const width = Math.max(10, Math.min(30, (this.options.stream.columns ?? 80) - 60));
    const filled = Math.round((done / total) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const etaText = done < total ? ` ETA ${formatDuration(eta)}` : ` ${formatDuration(elapsed)}`;
    this.options.stream.write(`\r\x1b[2K${this.options.label} ${bar} ${done}/${total}${formatCost(cost)}${etaText}`);
    this.drawn = true;
  }

  /** Ends the bar's line (a terminal's next output starts on a fresh line). */
  finish(): void {
    if (this.mode === "bar" && this.drawn) this.options.stream.write("\n");
    this.drawn = false;
  }
}
