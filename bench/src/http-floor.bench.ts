// The ceiling of this machine for the answer-save shape of request, without any of Quizarena's
// work: a bare Fastify server (same version, same JSON body parsing and response serialisation,
// a cookie header, no hooks, no SQL) driven by the same client and closed loop as `npm run bench`.
// What the real server reaches is then read against this floor. Both load generators are run in
// turn, which also shows what each costs per request.
//
// Run: node --import tsx bench/src/http-floor.bench.ts   (BENCH_SECONDS, BENCH_CONNECTIONS)
// Set FLOOR_SERVER=1 to run as the server itself (the bench spawns it so; not for direct use).
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { autocannonLoop } from './lib/autocannon-loop.ts';
import { Client, closedLoop, type LoopOptions } from './lib/http.ts';
import { processCpuMs, freePort } from './lib/server.ts';
import { fmtErrors, fmtMs, fmtRate } from './lib/stats.ts';

async function serve(port: number): Promise<void> {
  const app = Fastify({ logger: { level: 'warn' } });
  app.put(
    '/api/attempts/:attemptId/answers/:questionId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { attemptId: { type: 'integer' }, questionId: { type: 'integer' } },
          required: ['attemptId', 'questionId'],
        },
        body: {
          type: 'object',
          properties: {
            optionIds: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 10 },
          },
          required: ['optionIds'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              saved: {
                type: 'object',
                properties: {
                  questionId: { type: 'integer' },
                  optionIds: { type: 'array', items: { type: 'string' } },
                  savedAt: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { questionId } = request.params as { questionId: number };
      const { optionIds } = request.body as { optionIds: string[] };
      return { saved: { questionId, optionIds, savedAt: new Date().toISOString() } };
    },
  );
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  await app.listen({ port, host: '127.0.0.1' });
  console.log('ready');
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { PATH: process.env.PATH ?? '', FLOOR_SERVER: '1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
  const client = new Client(port, connections);
  console.log(
    `bare Fastify PUT + JSON body + JSON response, ${connections} connections, ${seconds} s each (Node ${process.version})`,
  );
  try {
    for (const driver of ['autocannon', 'node:http'] as const) {
      const opts: Omit<LoopOptions, 'client'> = {
        connections,
        seconds,
        warmupSeconds: 2,
        maxRequests: 5_000_000,
        next: (w, n) => ({
          kind: 'put',
          req: {
            method: 'PUT',
            path: `/api/attempts/${1000 + ((w + n) % 400)}/answers/${1 + (n % 20)}`,
            cookie: `qa_session=${'x'.repeat(43)}.${'y'.repeat(43)}`,
            body: { optionIds: ['AbCdEfGh'] },
          },
        }),
      };
      const c0 = process.cpuUsage();
      const s0 = processCpuMs(child.pid!);
      const t0 = performance.now();
      const loop =
        driver === 'autocannon' ? await autocannonLoop(port, opts) : await closedLoop({ client, ...opts });
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const s1 = processCpuMs(child.pid!);
      const s = loop.recorders.get('put')!.summary(loop.windowMs);
      let sent = 0;
      for (const byStatus of loop.sent.values()) for (const n of byStatus.values()) sent += n;
      const serverMs = s0 !== null && s1 !== null ? s1 - s0 : null;
      const clientMs = (c.user + c.system) / 1000;
      console.log(
        `  ${driver.padEnd(10)} ${fmtRate(s.perSecond)} req/s, p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)}; errors ${fmtErrors(s.errors)}; ` +
          `CPU server ${serverMs !== null ? ((serverMs / wall) * 100).toFixed(0) : '?'}% (${serverMs !== null ? ((serverMs * 1000) / sent).toFixed(0) : '?'} µs/req), ` +
          `load generator ${((clientMs / wall) * 100).toFixed(0)}% (${((clientMs * 1000) / sent).toFixed(0)} µs/req)`,
      );
    }
  } finally {
    client.close();
    child.kill('SIGTERM');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (process.env.FLOOR_SERVER === '1' ? serve(Number(process.env.PORT)) : main()).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
