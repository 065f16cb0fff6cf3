import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRankingStore } from '../../src/rankings/memory-ranking-store.ts';
import type { RankedResult } from '../../src/rankings/ranking-store.ts';
import { runRankingStoreContract } from './ranking-store.contract.ts';

runRankingStoreContract(
  'MemoryRankingStore',
  async () => new MemoryRankingStore(),
  (store) => store.close(),
);

test('MemoryRankingStore: 100k upserts and rank reads stay fast (O(log n))', async () => {
  const store = new MemoryRankingStore();
  const n = 100_000;
  const r = (id: number): RankedResult => ({
    participantId: id,
    score: (id * 7919) % 1000,
    durationMs: (id * 104_729) % 600_000,
    submittedAt: 1_750_000_000_000 + id,
    name: `P${id}`,
    unit: null,
  });
  const started = performance.now();
  for (let id = 0; id < n; id++) await store.upsert('round:1', r(id));
  for (let id = 0; id < n; id += 3) await store.upsert('round:1', { ...r(id), score: 500 });
  const perUpsert = ((performance.now() - started) * 1000) / (n + n / 3);
  const readStart = performance.now();
  for (let id = 0; id < 10_000; id++) await store.entryOf('round:1', (id * 13) % n);
  const perRead = ((performance.now() - readStart) * 1000) / 10_000;
  assert.equal(await store.count('round:1'), n);
  // Generous bounds (shared CI machines); the benchmark reports the real figures.
  assert.ok(perUpsert < 50, `upsert took ${perUpsert.toFixed(1)} µs on average`);
  assert.ok(perRead < 50, `entryOf took ${perRead.toFixed(1)} µs on average`);
});
