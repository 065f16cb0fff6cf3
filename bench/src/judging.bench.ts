// Judging at scale: finalising, paging the judges' results and exporting a round of N
// participants (default 100,000), in process through app.inject. Prints figures; asserts nothing.
// node --import tsx bench/src/judging.bench.ts [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '@quizarena/api';
import { testConfig } from '@quizarena/api/config';
import { hashPassword } from '@quizarena/api/services/passwords';
import { createRepositories, openDatabase } from '@quizarena/db';
import { generateParticipants, seedDemo } from '@quizarena/seed';

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(tmpdir(), 'qa-judging-bench-'));
const file = path.join(dir, 'quizarena.sqlite');
const DAY = 86_400_000;
const seededAt = Date.now() - 30 * DAY;

const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  console.log(`${label.padEnd(44)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return out;
};

const database = openDatabase(file);
const demo = await seedDemo(createRepositories(database), { now: seededAt, hashPassword });
const roundId = demo.roundIds[0]!;
await time(`generate ${n.toLocaleString('en')} participants`, async () =>
  generateParticipants(database, { roundId, count: n, seed: 'judging-bench' }),
);
database.close();

const app = await time('start (rebuild rankings from SQL)', async () => {
  const a = await buildApp(testConfig({ databaseFile: file, dataDir: dir }), { now: () => Date.now() });
  await a.ready();
  return a;
});
const judge = await app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { email: 'judge@quizarena.local', password: 'quizarena-demo' },
});
const cookie = String(judge.headers['set-cookie']).split(';')[0]!;
const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });

const fin = await time('finalise', () =>
  app.inject({ method: 'POST', url: `/api/rounds/${roundId}/finalize`, headers: { cookie } }),
);
console.log('  ', fin.statusCode, JSON.stringify(fin.json().finalisation?.prediction));
for (const q of [
  '?limit=50',
  '?limit=50&offset=50000',
  '?limit=50&sort=name',
  '?limit=50&group=B',
  '?limit=50&q=Nguy%E1%BB%85n%20V%C4%83n%20An',
]) {
  const res = await time(`results ${q}`, () => get(`/api/rounds/${roundId}/results${q}`));
  if (res.statusCode !== 200) console.log('  ', res.statusCode, res.body.slice(0, 200));
}
for (const kind of ['results.xlsx', 'results.csv', 'statistics']) {
  const res = await time(kind, () => get(`/api/rounds/${roundId}/${kind}`));
  console.log(`   ${res.statusCode} ${(res.rawPayload.length / 1024 / 1024).toFixed(1)} MiB`);
}
console.log(`heap used ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`);
await app.close();
rmSync(dir, { recursive: true, force: true });
