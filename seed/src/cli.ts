// `npm run seed -- generate --round <id> --count <n> [--data-dir ./data]`: adds synthetic
// participants with finished attempts to a round (load and ranking tests). Run it while the
// server is stopped, or restart the server afterwards: rankings are rebuilt from SQL at start-up.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRepositories, openDatabase } from '@quizarena/db';
import { hashPassword } from '@quizarena/api/services/passwords';
import { generateParticipants, seedDemo } from './index.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    round: { type: 'string' },
    count: { type: 'string', default: '1000' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? 'data' },
  },
});
const database = openDatabase(path.join(path.resolve(values['data-dir']), 'quizarena.sqlite'));
const command = positionals[0] ?? 'demo';
if (command === 'demo') {
  const demo = await seedDemo(createRepositories(database), { now: Date.now(), hashPassword });
  console.log(demo.created ? 'Demo contest loaded' : 'Demo contest already present', demo.roundIds);
} else if (command === 'generate') {
  const roundId = Number(values.round);
  const count = Number(values.count);
  if (!Number.isInteger(roundId) || !Number.isInteger(count) || count < 1) {
    console.error('usage: npm run seed -- generate --round <id> --count <n>');
    process.exit(2);
  }
  const t0 = performance.now();
  const out = generateParticipants(database, { roundId, count, seed: `${Date.now()}` });
  console.log(
    `${count} participants in ${Math.round(performance.now() - t0)} ms (${out.allCorrect} all correct)`,
  );
} else {
  console.error(`unknown command ${command}: use demo or generate`);
  process.exit(2);
}
database.close();
