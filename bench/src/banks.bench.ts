// The organiser's question table at scale: a bank of N questions (default 5,000, then 20,000),
// searched, filtered, sorted and paged through the real routes (app.inject, in process), plus the
// draw preview over it. Prints median and worst of R runs per query; asserts nothing.
// node --import tsx bench/src/banks.bench.ts [N] [R]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '@quizarena/api';
import { testConfig } from '@quizarena/api/config';
import { hashPassword } from '@quizarena/api/services/passwords';
import { createRepositories, openDatabase } from '@quizarena/db';
import { seedDemo } from '@quizarena/seed';

const sizes = process.argv[2] ? [Number(process.argv[2])] : [5_000, 20_000];
const runs = Number(process.argv[3] ?? 30);
const TOPICS = ['Lịch sử', 'Địa lý', 'Giáo dục công dân', 'Chuyển đổi số', 'Văn học', 'Tư tưởng Hồ Chí Minh'];
const WORDS = 'Chủ tịch Hồ Chí Minh Tuyên ngôn Độc lập Quảng trường Ba Đình năm nào ở đâu ai là người'.split(
  ' ',
);

for (const n of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'qa-banks-bench-'));
  const file = path.join(dir, 'quizarena.sqlite');
  const database = openDatabase(file);
  const repos = createRepositories(database);
  await seedDemo(repos, { now: Date.now(), hashPassword });
  const organiser = (await repos.users.findByEmail('organiser@quizarena.local'))!;
  const bank = await repos.banks.create(organiser.id, `Bench ${n}`);
  const t0 = performance.now();
  for (let start = 0; start < n; start += 1000) {
    await repos.banks.addQuestions(
      bank.id,
      Array.from({ length: Math.min(1000, n - start) }, (_, k) => {
        const i = start + k;
        return {
          type:
            i % 7 === 0 ? ('multiple' as const) : i % 5 === 0 ? ('truefalse' as const) : ('single' as const),
          stem: `Câu ${i + 1}: ${WORDS.slice(i % 9, (i % 9) + 6).join(' ')} (${i.toString(36)})?`,
          options: ['A', 'B', 'C', 'D'].map((l, j) => ({
            id: `${l}${i}`,
            text: `Phương án ${l} ${i}`,
            correct: j === 0,
          })),
          points: 1,
          tags: [TOPICS[i % TOPICS.length]!, `tuan-${(i % 10) + 1}`],
          difficulty: (i % 5) + 1,
          explanation: null,
        };
      }),
    );
  }
  console.log(
    `\nbank of ${n.toLocaleString('en')} questions (inserted in ${(performance.now() - t0).toFixed(0)} ms)`,
  );
  database.close();

  const app = await buildApp(testConfig({ databaseFile: file, dataDir: dir }), { now: () => Date.now() });
  await app.ready();
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: 'organiser@quizarena.local', password: 'quizarena-demo' },
  });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const base = `/api/banks/${bank.id}/questions`;
  const queries: [string, string, unknown?][] = [
    ['first page, newest', `${base}?sort=newest&limit=50`],
    ['page 60 of 100, oldest', `${base}?sort=oldest&limit=50&offset=${Math.floor(n / 2)}`],
    ['search "Ba Đình"', `${base}?q=${encodeURIComponent('Ba Đình')}&limit=50`],
    ['search with no match', `${base}?q=zzzz&limit=50`],
    [
      'tag + difficulty + type',
      `${base}?tag=${encodeURIComponent('Lịch sử')}&difficulty=3&type=single&limit=50`,
    ],
    ['sort by stem, page 10', `${base}?sort=stem&limit=50&offset=450`],
    ['bank detail (tag counts)', `/api/banks/${bank.id}`],
    [
      'draw preview (3 rules)',
      '/api/draw/preview',
      {
        draw: [
          { bankId: bank.id, tags: ['Lịch sử'], count: 10 },
          { bankId: bank.id, tags: ['Địa lý'], difficulty: [1, 2], count: 5 },
          { bankId: bank.id, count: 15 },
        ],
      },
    ],
  ];
  for (const [label, url, body] of queries) {
    const times: number[] = [];
    let status = 0;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const res = await app.inject({
        method: body ? 'POST' : 'GET',
        url,
        headers: { cookie, ...(body ? { 'sec-fetch-site': 'same-origin' } : {}) },
        ...(body ? { payload: body } : {}),
      });
      times.push(performance.now() - t);
      status = res.statusCode;
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)]!;
    const worst = times[times.length - 1]!;
    console.log(
      `  ${label.padEnd(28)} ${status}  median ${med.toFixed(1).padStart(6)} ms  worst ${worst.toFixed(1).padStart(6)} ms`,
    );
  }
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
