// The closed loop of http.ts driven by autocannon instead of node:http: same LoopOptions, same
// LoopResult. Autocannon keeps one request in flight per connection over a raw socket with its own
// HTTP parser, and costs the load generator roughly 40% less CPU per request than node:http (see
// http-floor.bench.ts), which matters when the load generator and the server share two cores.
//
// Each request is built by `setupRequest` just before autocannon writes it (it is called from the
// previous response's completion), where its start is taken with performance.now(); `onResponse`
// takes the end. A connection's context object lives for exactly one request/response cycle.
import autocannon from 'autocannon';
import { BENCH_HOST, type LoopOptions, type LoopResult } from './http.ts';
import { Recorder } from './stats.ts';

interface Cycle {
  kind?: string;
  start?: number;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export async function autocannonLoop(port: number, opts: Omit<LoopOptions, 'client'>): Promise<LoopResult> {
  const recorders = new Map<string, Recorder>();
  const sent = new Map<string, Map<number | string, number>>();
  const count = (kind: string, status: number | string) => {
    const byStatus = sent.get(kind) ?? new Map<number | string, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    sent.set(kind, byStatus);
  };
  let n = 0;
  const monoAtT0 = monotonicUs();
  const t0 = performance.now();
  const measureFrom = t0 + opts.warmupSeconds * 1000;
  let lastEnd = measureFrom;

  const request: autocannon.Request = {
    setupRequest: (req, context) => {
      const ctx = context as Cycle;
      const { kind, req: r } = opts.next(0, n++);
      ctx.kind = kind;
      ctx.start = performance.now();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (r.cookie) headers.cookie = r.cookie;
      let body: string | undefined;
      if (r.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(r.body);
      }
      return { ...req, method: r.method, path: r.path, headers, ...(body !== undefined ? { body } : {}) };
    },
    onResponse: (status, body, context) => {
      const end = performance.now();
      const ctx = context as Cycle;
      if (ctx.kind === undefined || ctx.start === undefined) return;
      count(ctx.kind, status);
      opts.onResponse?.(ctx.kind, { status, body });
      if (ctx.start >= measureFrom) {
        let rec = recorders.get(ctx.kind);
        if (!rec) recorders.set(ctx.kind, (rec = new Recorder(opts.expected?.[ctx.kind] ?? 200)));
        rec.record(end - ctx.start, status);
        if (end > lastEnd) lastEnd = end;
      }
    },
  };

  const result = await autocannon({
    url: `http://${BENCH_HOST}:${port}`,
    connections: opts.connections,
    duration: opts.warmupSeconds + opts.seconds,
    maxOverallRequests: opts.maxRequests,
    timeout: 15,
    requests: [request],
  });
  const windowEnd = Math.max(lastEnd, measureFrom + opts.seconds * 1000);
  return {
    recorders,
    windowMs: windowEnd - measureFrom,
    sent,
    windowUs: {
      from: monoAtT0 + Math.round((measureFrom - t0) * 1000),
      to: monoAtT0 + Math.round((windowEnd - t0) * 1000),
    },
    // Failures below HTTP (connection errors, timeouts) never reach onResponse.
    failures: { errors: result.errors, timeouts: result.timeouts },
  };
}
