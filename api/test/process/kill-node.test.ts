// One of two server processes killed with SIGKILL while 50 participants save answers (issue #8):
// every save acknowledged with 200 is in PostgreSQL afterwards (the answers table holds the last
// acknowledged choice per question, answer_log every acknowledged save), and the participants of
// the dead node carry on against the other one with the same cookie (sessions are in the
// database): the save that was cut off is sent again there, as the web client does, and succeeds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgres } from '@quizarena/db';
import {
  Client,
  DEMO_SLUG,
  demoEntryFields,
  registerClient,
  startPair,
  week1Of,
  type AttemptBody,
  type Pair,
  type ServerNode,
} from './process-helpers.ts';

const CLIENTS = 50;
const RUN_MS = 3000;
const KILL_AT_MS = 1500;
/** Questions each participant answers over and over. */
const QUESTIONS = 5;

interface Participant {
  client: Client;
  home: ServerNode;
  /** The node it talks to now: its home until that dies. */
  node: ServerNode;
  attempt: AttemptBody;
  savesAfterSwitch: number;
}

interface Ack {
  attemptId: number;
  questionId: number;
  optionIds: string[];
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

describe('a node killed with SIGKILL while 50 participants save answers', () => {
  let pair: Pair;
  let participants: Participant[] = [];
  const acks: Ack[] = [];
  /** Saves cut off by the kill (no answer): sent again to node B. */
  let cutOff = 0;
  const unexpected: string[] = [];

  before(async () => {
    pair = await startPair();
    const { a, b } = pair;
    const roundId = await week1Of(new Client(), a);
    participants = await pool(
      Array.from({ length: CLIENTS }, (_, i) => i),
      10,
      async (i): Promise<Participant> => {
        const home = i % 2 === 0 ? a : b;
        const { client } = await registerClient(home, `saver${i}`);
        await client.ok(
          home,
          'POST',
          `/api/contests/${DEMO_SLUG}/entry`,
          { fields: demoEntryFields(`Người ${i}`) },
          201,
        );
        const { attempt } = await client.ok<{ attempt: AttemptBody }>(
          home,
          'POST',
          `/api/rounds/${roundId}/attempts`,
          undefined,
          201,
        );
        return { client, home, node: home, attempt, savesAfterSwitch: 0 };
      },
    );
  });
  after(async () => {
    await pair?.close();
  });

  test('saves go on across the kill; the dead node’s participants carry on against node B', async () => {
    const { a, b } = pair;
    let killed = false;
    const started = Date.now();
    const timings: { sent: number; took: number; node: string }[] = [];
    const end = started + RUN_MS;
    const killer = (async () => {
      await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
      killed = true;
      a.child.kill('SIGKILL');
    })();

    await Promise.all(
      participants.map(async (p, i) => {
        // A few questions, each saved again and again with another choice: the last one counts.
        const qs = p.attempt.questions.slice(0, QUESTIONS);
        for (let k = 0; Date.now() < end; k++) {
          const q = qs[k % qs.length]!;
          const optionIds = [q.options[(Math.floor(k / qs.length) + i) % q.options.length]!.id];
          // Until acknowledged: a save cut off by the kill is sent again to B.
          for (;;) {
            const node = p.node;
            const sent = Date.now();
            let res;
            try {
              res = await p.client.call(node, 'PUT', `/api/attempts/${p.attempt.id}/answers/${q.id}`, {
                optionIds,
              });
            } catch (err) {
              if (node === a && killed) {
                cutOff++;
                p.node = b;
                continue;
              }
              throw err;
            }
            if (res.status === 200) {
              acks.push({ attemptId: p.attempt.id, questionId: q.id, optionIds });
              timings.push({ sent: sent - started, took: Date.now() - sent, node: node.name });
              if (p.node !== p.home) p.savesAfterSwitch++;
            } else {
              unexpected.push(`${node.name}: ${res.status} ${res.text}`);
            }
            break;
          }
        }
      }),
    );
    await killer;
    const gone = await a.exited;
    assert.equal(gone.signal, 'SIGKILL', 'node A was killed');
    assert.ok(b.alive(), `node B still runs:\n${b.output()}`);
    assert.deepEqual(unexpected, [], 'every save was acknowledged, on one node or the other');

    const ofA = participants.filter((p) => p.home === a);
    assert.ok(
      ofA.every((p) => p.node === b && p.savesAfterSwitch > 0),
      `every participant of A moved to B and saved there: ${ofA.map((p) => p.savesAfterSwitch).join(', ')}`,
    );
    const inLoop = acks.length;
    // And each of them goes on saving there (whatever the loop above had time for under load).
    for (const p of ofA) {
      for (const [j, q] of p.attempt.questions.slice(0, 2).entries()) {
        const optionIds = [q.options[(j + 1) % q.options.length]!.id];
        await p.client.ok(b, 'PUT', `/api/attempts/${p.attempt.id}/answers/${q.id}`, { optionIds });
        acks.push({ attemptId: p.attempt.id, questionId: q.id, optionIds });
      }
    }
    const ofB = participants.filter((p) => p.home === b);
    assert.ok(
      ofB.every((p) => p.node === b),
      'the participants of B never left it',
    );
    const before = timings.filter((t) => t.sent < KILL_AT_MS);
    const afterKill = timings.filter((t) => t.sent >= KILL_AT_MS);
    const slowest = (list: typeof timings) => Math.max(0, ...list.map((t) => t.took));
    console.log(
      `before the kill: ${before.length} saves (slowest ${slowest(before)} ms); after it: ` +
        `${afterKill.length} saves on B (slowest ${slowest(afterKill)} ms)`,
    );
    console.log(
      `${inLoop} saves acknowledged in ${RUN_MS} ms by ${CLIENTS} participants; ` +
        `${cutOff} cut off by the kill and sent again to B; ` +
        `A's participants saved ${ofA.reduce((s, p) => s + p.savesAfterSwitch, 0)} times on B after the kill, ` +
        `then ${acks.length - inLoop} more`,
    );
  });

  test('every acknowledged save is in PostgreSQL: the last choice in answers, each save in answer_log', async () => {
    assert.ok(acks.length > CLIENTS, `saves were made (${acks.length})`);
    const ids = participants.map((p) => p.attempt.id);
    const db = await openPostgres(pair.databaseUrl, { pool: 1 });
    try {
      const marks = ids.map(() => '?').join(', ');
      const answers = await db.query<{ attempt_id: number; question_id: number; option_ids: string[] }>(
        `SELECT attempt_id, question_id, option_ids FROM answers WHERE attempt_id IN (${marks})`,
        ids,
      );
      const log = await db.query<{ attempt_id: number; question_id: number; option_ids: string[] }>(
        `SELECT attempt_id, question_id, option_ids FROM answer_log WHERE attempt_id IN (${marks})`,
        ids,
      );
      const key = (x: { attemptId: number; questionId: number }) => `${x.attemptId}:${x.questionId}`;
      const save = (x: Ack) => `${key(x)}:${JSON.stringify(x.optionIds)}`;

      const last = new Map<string, string>();
      for (const ack of acks) last.set(key(ack), JSON.stringify(ack.optionIds));
      const stored = new Map(
        answers.rows.map((r) => [
          key({ attemptId: r.attempt_id, questionId: r.question_id }),
          JSON.stringify(r.option_ids),
        ]),
      );
      const wrong = [...last].filter(([k, v]) => stored.get(k) !== v);
      assert.deepEqual(
        wrong.slice(0, 5),
        [],
        `${wrong.length} questions whose last acknowledged choice is not stored`,
      );
      assert.equal(stored.size, last.size, 'no answer nobody was told about');

      const logged = new Map<string, number>();
      for (const r of log.rows) {
        const s = save({ attemptId: r.attempt_id, questionId: r.question_id, optionIds: r.option_ids });
        logged.set(s, (logged.get(s) ?? 0) + 1);
      }
      let lost = 0;
      for (const ack of acks) {
        const s = save(ack);
        const n = logged.get(s) ?? 0;
        if (n === 0) lost++;
        else logged.set(s, n - 1);
      }
      const inLog = log.rows.length;
      console.log(
        `acknowledged saves: ${acks.length}; in answer_log: ${inLog} (${inLog - acks.length + lost} unacknowledged ` +
          `saves that landed); answers rows: ${stored.size}; lost: ${lost}`,
      );
      assert.equal(lost, 0, `${lost} acknowledged saves are not in answer_log`);
    } finally {
      await db.close();
    }
  });

  test('after the crash every attempt submits on B and the audit log verifies (answer logs included)', async () => {
    const { b } = pair;
    await pool(participants, 10, async (p) => {
      const { attempt } = await p.client.ok<{ attempt: { status: string } }>(
        b,
        'POST',
        `/api/attempts/${p.attempt.id}/submit`,
        { prediction: 3 },
      );
      assert.equal(attempt.status, 'submitted');
    });
    const admin = new Client();
    await admin.ok(b, 'POST', '/api/auth/login', {
      email: 'admin@quizarena.local',
      password: 'quizarena-demo',
    });
    const verdict = await admin.ok<{ ok: boolean; answerLogs: number; reason: string | null }>(
      b,
      'GET',
      '/api/audit/verify',
    );
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    assert.ok(verdict.answerLogs >= CLIENTS, `answer logs checked: ${verdict.answerLogs}`);
  });
});
