// Latency recording and summaries for the end-to-end bench. Every request's latency is taken with
// performance.now() around the request (client side: includes the loopback, both HTTP stacks and
// any queueing in the server), and kept whole, so percentiles are exact rather than bucketed.

export interface LatencySummary {
  /** Requests that completed inside the measurement window (any status). */
  count: number;
  /** Of which answered with the expected status. */
  ok: number;
  /** ok per second of the measurement window. */
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Unexpected outcomes by HTTP status, or by client error ('timeout', 'ECONNRESET', ...). */
  errors: Record<string, number>;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export class Recorder {
  private samples = new Float64Array(1 << 16);
  private n = 0;
  private okCount = 0;
  private readonly errors = new Map<string, number>();

  constructor(private readonly expected: number) {}

  record(ms: number, status: number | string): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = ms;
    if (status === this.expected) this.okCount++;
    else this.errors.set(String(status), (this.errors.get(String(status)) ?? 0) + 1);
  }

  /** Adds another recorder's samples (the loops of several nodes, as one). */
  absorb(other: Recorder): void {
    for (let i = 0; i < other.n; i++) {
      if (this.n === this.samples.length) {
        const bigger = new Float64Array(this.samples.length * 2);
        bigger.set(this.samples);
        this.samples = bigger;
      }
      this.samples[this.n++] = other.samples[i]!;
    }
    this.okCount += other.okCount;
    for (const [k, v] of other.errors) this.errors.set(k, (this.errors.get(k) ?? 0) + v);
  }

  get count(): number {
    return this.n;
  }

  get ok(): number {
    return this.okCount;
  }

  summary(windowMs: number): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.n,
      ok: this.okCount,
      perSecond: windowMs > 0 ? (this.okCount * 1000) / windowMs : 0,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: this.n > 0 ? sorted[this.n - 1]! : Number.NaN,
      mean: this.n > 0 ? sum / this.n : Number.NaN,
      errors: Object.fromEntries(this.errors),
    };
  }
}

export const fmtMs = (ms: number): string =>
  Number.isNaN(ms)
    ? '-'
    : ms < 1
      ? `${(ms * 1000).toFixed(0)} µs`
      : ms < 100
        ? `${ms.toFixed(2)} ms`
        : `${ms.toFixed(0)} ms`;

export const fmtRate = (n: number): string => Math.round(n).toLocaleString('en');

export const fmtErrors = (errors: Record<string, number>): string => {
  const list = Object.entries(errors);
  return list.length === 0 ? '0' : list.map(([k, v]) => `${v} × ${k}`).join(', ');
};

/** The number after `--name` on the command line, or `fallback` when it is not given. */
export const numberArg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
