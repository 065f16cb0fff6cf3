// A lean HTTP client for the bench: node:http over loopback with a keep-alive Agent (one socket per
// concurrent connection, reused for every request), and a closed-loop driver: C workers, each
// sending its next request as soon as the previous one is answered, for a fixed time.
import http from 'node:http';
import { Recorder } from './stats.ts';

/** The bench only ever targets the local machine. */
export const BENCH_HOST = '127.0.0.1';

export interface Req {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  cookie?: string;
  /** JSON body; a POST without one is sent with Content-Length: 0 and no Content-Type. */
  body?: unknown;
}

export interface Res {
  /** HTTP status, or 0 when the request failed below HTTP (see `error`). */
  status: number;
  body: string;
  error?: string;
}

export class Client {
  private readonly agent: http.Agent;

  constructor(
    readonly port: number,
    connections: number,
    private readonly timeoutMs = 15_000,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  send(req: Req): Promise<Res> {
    return new Promise((resolve) => {
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (req.cookie) headers.cookie = req.cookie;
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      } else if (req.method !== 'GET') {
        headers['content-length'] = 0;
      }
      const r = http.request(
        { agent: this.agent, host: BENCH_HOST, port: this.port, method: req.method, path: req.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (err: NodeJS.ErrnoException) =>
            resolve({ status: 0, body: '', error: err.code ?? err.message }),
          );
        },
      );
      r.setTimeout(this.timeoutMs, () => r.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
      r.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ status: 0, body: '', error: err.code ?? err.message }),
      );
      r.end(payload);
    });
  }

  /** Sends and parses a JSON answer; throws unless the status is the expected one. */
  async json<T>(req: Req, expected: number): Promise<T> {
    const res = await this.send(req);
    if (res.status !== expected) {
      throw new Error(
        `${req.method} ${req.path}: expected ${expected}, got ${res.status || res.error} ${res.body.slice(0, 300)}`,
      );
    }
    return JSON.parse(res.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoopOptions {
  client: Client;
  connections: number;
  /** Measured time, after the warm-up. */
  seconds: number;
  /** Requests started during the warm-up are sent but not recorded. */
  warmupSeconds: number;
  /** Hard bound on the requests of the whole loop (warm-up included). */
  maxRequests: number;
  /** The next request of a worker; `kind` names the recorder it is counted in. */
  next: (worker: number, n: number) => { kind: string; req: Req };
  /** The status that counts as success for each kind (default 200). */
  expected?: Record<string, number>;
  /** Called with every answer (e.g. to check a body now and then). */
  onResponse?: (kind: string, res: Res) => void;
}

export interface LoopResult {
  recorders: Map<string, Recorder>;
  /** Length of the measurement window: from the end of the warm-up to the last recorded answer. */
  windowMs: number;
  /** All requests sent, warm-up included, by kind and status (for integrity checks). */
  sent: Map<string, Map<number | string, number>>;
  /** CLOCK_MONOTONIC µs of the window, to cut a server CPU profile to it. */
  windowUs: { from: number; to: number };
  /** Requests that failed below HTTP without being attributed to a kind (autocannon). */
  failures?: { errors: number; timeouts: number };
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Closed-loop load: each of `connections` workers keeps exactly one request in flight. */
export async function closedLoop(opts: LoopOptions): Promise<LoopResult> {
  const recorders = new Map<string, Recorder>();
  const sent = new Map<string, Map<number | string, number>>();
  const monoAtT0 = monotonicUs();
  const t0 = performance.now();
  const measureFrom = t0 + opts.warmupSeconds * 1000;
  const deadline = measureFrom + opts.seconds * 1000;
  let issued = 0;
  let lastEnd = measureFrom;

  const worker = async (w: number): Promise<void> => {
    for (let n = 0; ; n++) {
      const start = performance.now();
      if (start >= deadline || issued >= opts.maxRequests) return;
      issued++;
      const { kind, req } = opts.next(w, n);
      const res = await opts.client.send(req);
      const end = performance.now();
      const status = res.status === 0 ? (res.error ?? 'error') : res.status;
      const byStatus = sent.get(kind) ?? new Map<number | string, number>();
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      sent.set(kind, byStatus);
      opts.onResponse?.(kind, res);
      if (start >= measureFrom) {
        let rec = recorders.get(kind);
        if (!rec) recorders.set(kind, (rec = new Recorder(opts.expected?.[kind] ?? 200)));
        rec.record(end - start, status);
        if (end > lastEnd) lastEnd = end;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, w) => worker(w)));
  const windowEnd = Math.max(lastEnd, deadline);
  return {
    recorders,
    windowMs: windowEnd - measureFrom,
    sent,
    windowUs: {
      from: monoAtT0 + Math.round((measureFrom - t0) * 1000),
      to: monoAtT0 + Math.round((windowEnd - t0) * 1000),
    },
  };
}

/** Runs `op` over every item with `concurrency` in flight, recording each latency. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T) => Promise<Res>,
  expected: number,
): Promise<{ recorder: Recorder; elapsedMs: number; results: Res[] }> {
  const recorder = new Recorder(expected);
  const results: Res[] = new Array<Res>(items.length);
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const start = performance.now();
      const res = await op(items[i]!);
      recorder.record(performance.now() - start, res.status === 0 ? (res.error ?? 'error') : res.status);
      results[i] = res;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { recorder, elapsedMs: performance.now() - t0, results };
}

/**
 * Several loops run side by side (one per server node) as one: samples and counts pooled, the
 * window from the earliest start to the latest end (they start together and run as long).
 */
export function mergeLoops(loops: LoopResult[], expected?: Record<string, number>): LoopResult {
  if (loops.length === 1) return loops[0]!;
  const recorders = new Map<string, Recorder>();
  const sent = new Map<string, Map<number | string, number>>();
  let failures: LoopResult['failures'];
  for (const loop of loops) {
    for (const [kind, rec] of loop.recorders) {
      let into = recorders.get(kind);
      if (!into) recorders.set(kind, (into = new Recorder(expected?.[kind] ?? 200)));
      into.absorb(rec);
    }
    for (const [kind, byStatus] of loop.sent) {
      const into = sent.get(kind) ?? new Map<number | string, number>();
      for (const [status, n] of byStatus) into.set(status, (into.get(status) ?? 0) + n);
      sent.set(kind, into);
    }
    if (loop.failures) {
      failures ??= { errors: 0, timeouts: 0 };
      failures.errors += loop.failures.errors;
      failures.timeouts += loop.failures.timeouts;
    }
  }
  const from = Math.min(...loops.map((l) => l.windowUs.from));
  const to = Math.max(...loops.map((l) => l.windowUs.to));
  return {
    recorders,
    sent,
    windowMs: (to - from) / 1000,
    windowUs: { from, to },
    ...(failures ? { failures } : {}),
  };
}
