// Micro benchmark of the two RankingStores on one 100k-participant board: inserts, updates on the
// full board, leaderboard reads (top-50 page + one participant's entry) and a full rebuild.
// Run: node --import tsx bench/src/ranking-store.bench.ts   (BENCH_N=... to change the size)
// Redis: REDIS_URL, else 127.0.0.1:6379 if it answers (skipped otherwise); keys are deleted after.

import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { MemoryRankingStore } from '@quizarena/api/rankings/memory-ranking-store';
import { RedisRankingStore } from '@quizarena/api/rankings/redis-ranking-store';
import { boardKeys } from '@quizarena/api/rankings/keys';
import type { RankedResult, RankingStore } from '@quizarena/api/rankings/ranking-store';

const N = Number(process.env.BENCH_N ?? 100_000);
const UPDATES = Math.min(N, 20_000);
const READS = 5_000;
const BOARD = 'round:1';

/** Deterministic PRNG (mulberry32) so that every run ranks the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20240501);
const int = (n: number): number => Math.floor(rand() * n);

/** A plausible round: 30 questions with partial credit, 15 minutes, one hour of submissions. */
const result = (participantId: number): RankedResult => ({
  participantId,
  score: int(121) / 4,
  durationMs: 60_000 + int(840_000),
  submittedAt: 1_750_000_000_000 + int(3_600_000),
  name: `Participant ${participantId}`,
  unit: `Unit ${participantId % 300}`,
});

const nowUs = (): number => Number(process.hrtime.bigint()) / 1000;

function percentile(sortedUs: number[], p: number): number {
  return sortedUs[Math.min(sortedUs.length - 1, Math.floor((p / 100) * sortedUs.length))] ?? Number.NaN;
}

function summary(samplesUs: number[]): string {
  const s = [...samplesUs].sort((a, b) => a - b);
  const fmt = (us: number): string => (us < 1000 ? `${us.toFixed(1)} µs` : `${(us / 1000).toFixed(2)} ms`);
  return `p50 ${fmt(percentile(s, 50))}, p99 ${fmt(percentile(s, 99))}`;
}

const rate = (ops: number, us: number): string => `${Math.round(ops / (us / 1e6)).toLocaleString('en')}/s`;

/** Runs `op` for each item with at most `concurrency` in flight (concurrent API requests). */
async function runConcurrent<T>(
  items: T[],
  concurrency: number,
  op: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await op(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function benchStore(label: string, store: RankingStore, concurrency: number): Promise<void> {
  const initial = Array.from({ length: N }, (_, i) => result(i + 1));
  console.log(`\n${label}: ${N.toLocaleString('en')} participants`);

  let t0 = nowUs();
  await runConcurrent(initial, concurrency, (r) => store.upsert(BOARD, r));
  const insertUs = nowUs() - t0;
  console.log(
    `  insert            ${rate(N, insertUs)} (${concurrency} in flight, ${(insertUs / 1e6).toFixed(2)} s)`,
  );

  const latencies: number[] = [];
  t0 = nowUs();
  for (let i = 0; i < UPDATES; i++) {
    const r = { ...result(1 + int(N)), name: `Updated ${i}` };
    const s = nowUs();
    await store.upsert(BOARD, r);
    latencies.push(nowUs() - s);
  }
  console.log(`  upsert (update)   ${rate(UPDATES, nowUs() - t0)} one at a time; ${summary(latencies)}`);

  const pages: number[] = [];
  const entries: number[] = [];
  const both: number[] = [];
  for (let i = 0; i < READS; i++) {
    const s = nowUs();
    const page = await store.page(BOARD, 50, 0);
    const m = nowUs();
    const entry = await store.entryOf(BOARD, 1 + int(N));
    const e = nowUs();
    if (page.entries.length !== 50 || entry === null) throw new Error('benchmark board is incomplete');
    pages.push(m - s);
    entries.push(e - m);
    both.push(e - s);
  }
  console.log(`  page(top 50)      ${summary(pages)}`);
  console.log(`  entryOf           ${summary(entries)}`);
  console.log(`  page + entryOf    ${summary(both)}`);

  t0 = nowUs();
  await store.replaceAll(BOARD, initial);
  console.log(`  replaceAll        ${((nowUs() - t0) / 1000).toFixed(0)} ms for ${N.toLocaleString('en')}`);
  if ((await store.count(BOARD)) !== N) throw new Error('replaceAll lost entries');
}

async function connectRedis(): Promise<Redis | null> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  let lastError: unknown = null;
  redis.on('error', (err) => {
    lastError = err;
  });
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    const why = `Redis not reachable at ${url}: ${String(lastError ?? err)}`;
    if (process.env.REDIS_URL) throw new Error(why);
    console.log(`\nRedisRankingStore: skipped (${why}; set REDIS_URL to require it)`);
    return null;
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export async function runRankingStoreBench(): Promise<void> {
  console.log(`ranking-store bench (Node ${process.version})`);
  const memory = new MemoryRankingStore();
  await benchStore('MemoryRankingStore', memory, 1);
  await memory.close();

  const redis = await connectRedis();
  if (redis === null) return;
  const prefix = `qa-bench-${process.pid}-${Date.now()}:`;
  try {
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const store = new RedisRankingStore(redis, prefix);
    await benchStore(`RedisRankingStore (Redis ${version})`, store, 50);
    await store.close();
  } finally {
    const k = boardKeys(prefix, BOARD);
    await redis.del(k.zset, k.members, k.info);
    await deleteKeys(redis, `${prefix}*`); // anything else, e.g. an interrupted rebuild's temp keys
    await redis.quit();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runRankingStoreBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
