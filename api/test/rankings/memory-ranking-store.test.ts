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

test('MemoryRankingStore: 100k upserts and re-upserts keep one entry each and a consistent order', async () => {
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
  for (let id = 0; id < n; id++) await store.upsert('round:1', r(id));
  for (let id = 0; id < n; id += 3) await store.upsert('round:1', { ...r(id), score: 500 });
  assert.equal(await store.count('round:1'), n);
  // Ranks read one by one agree with the order of the pages (timings live in bench/).
  const page = await store.page('round:1', 100, 50_000);
  for (const e of page.entries) assert.equal((await store.entryOf('round:1', e.participantId))?.rank, e.rank);
  for (let i = 1; i < page.entries.length; i++) assert.ok(page.entries[i]!.rank >= page.entries[i - 1]!.rank);
});
