// The ranking projection in a Redis shared by several API nodes (issue #8): a node that starts on a
// projection already built does not rebuild it; a round the projection is short of is rebuilt;
// a Redis flushed while nodes run is rebuilt by them, in SQL's order, without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  call,
  cleanRedis,
  makeApp,
  makeClock,
  makeContestWithRound,
  makeParticipant,
  ok,
  REDIS_URL,
  redisPrefix,
  takeRound,
  tempDatabase,
  type TempDatabase,
  type LeaderboardPage,
  type TestApp,
} from '../helpers.ts';
import type { Config } from '../../src/config.ts';
import { boardKeys } from '../../src/rankings/keys.ts';

const board = async (t: TestApp, roundId: number): Promise<LeaderboardPage> =>
  ok<LeaderboardPage>(await call(t.app, 'GET', `/api/rounds/${roundId}/leaderboard`));

async function eventually(ms: number, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) assert.fail(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the ranking projection shared by several nodes', () => {
  let db: TempDatabase;
  const prefix = redisPrefix();
  const clock = makeClock();
  let config: Partial<Config>;
  let first: TestApp;
  let roundId: number;
  let expected: LeaderboardPage;

  before(async () => {
    db = await tempDatabase();
    config = { ...db.store, redisUrl: REDIS_URL, redisPrefix: prefix };
    first = await makeApp(config, clock);
    const f = await makeContestWithRound(first.app, { questions: 3 });
    roundId = f.roundId;
    for (let i = 0; i < 5; i++) {
      const p = await makeParticipant(first.app, f.slug, { fullName: `Player ${i}` });
      await takeRound(first, roundId, p.cookie, { rightCount: i % 4, takeMs: 1_000 * (i + 1) });
    }
    expected = await board(first, roundId);
    assert.equal(expected.total, 5);
  });
  after(async () => {
    await first.close();
    await cleanRedis(prefix);
    await db.remove();
  });

  test('a second node starting on a built projection leaves it as it is', async () => {
    // Tamper with a display name in Redis only: a rebuild from SQL would put it back.
    const keys = boardKeys(prefix, `round:${roundId}`);
    const someone = expected.entries[0]!.participantId;
    await first.app.redis!.hset(keys.info, String(someone), JSON.stringify({ name: 'Tampered', unit: null }));
    const second = await makeApp(config, clock);
    try {
      const seen = await board(second, roundId);
      assert.equal(seen.entries.find((e) => e.participantId === someone)?.name, 'Tampered');
    } finally {
      await second.close();
    }
  });

  test('a node starting on a projection short of a round rebuilds that round', async () => {
    const keys = boardKeys(prefix, `round:${roundId}`);
    const gone = expected.entries[2]!.participantId;
    const member = await first.app.redis!.hget(keys.members, String(gone));
    await first.app.redis!.multi().zrem(keys.zset, member!).hdel(keys.members, String(gone)).exec();
    assert.equal((await board(first, roundId)).total, 4);
    const third = await makeApp(config, clock);
    try {
      assert.deepEqual(await board(third, roundId), expected, 'the round is rebuilt, the tampered name too');
    } finally {
      await third.close();
    }
  });

  test('a Redis flushed while a node runs is rebuilt by it, in the order of SQL', async () => {
    const running = await makeApp({ ...config, sweepIntervalMs: 100 }, clock);
    try {
      await cleanRedis(prefix);
      await eventually(3000, async () => (await board(running, roundId)).total === expected.total);
      assert.deepEqual(await board(running, roundId), expected);
    } finally {
      await running.close();
    }
  });
});
