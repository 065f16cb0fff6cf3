// Suspicion flags on a round, for judges: accounts sharing an ID number, a phone or an email
// (after normalising), implausibly fast attempts with a high score, and many accounts from one IP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import {
  answerAttempt,
  enter,
  makeAccountWithRoles,
  makeApp,
  makeParticipant,
  ok,
  refusal,
  registerAccount,
  submit,
  type Account,
  type AttemptView,
} from '../helpers.ts';
import {
  fastThresholdMs,
  normaliseEmail,
  normaliseIdNumber,
  normalisePhone,
} from '../../src/services/statistics.ts';
import { get, makeReportRound, type ReportRound } from './report-fixtures.ts';

interface Flag {
  kind: string;
  value: string;
  userIds: number[];
  attemptIds: number[];
}

describe('normalising identities', () => {
  test('ID numbers, phones and emails', () => {
    assert.equal(normaliseIdNumber(' 001 301.000-001 '), '001301000001');
    assert.equal(normaliseIdNumber('b1234567'), 'B1234567');
    assert.deepEqual(
      ['0912 345 678', '+84 912.345.678', '0084912345678', '0912-345-678'].map(normalisePhone),
      Array(4).fill('0912345678'),
    );
    assert.equal(normalisePhone('+1 (415) 555-0100'), '14155550100');
    assert.equal(normaliseEmail(' Lan.Anh+thi@GMAIL.com'), 'lananh@gmail.com');
    assert.equal(normaliseEmail('lan.anh@googlemail.com'), 'lananh@gmail.com');
    assert.equal(normaliseEmail('Lan.Anh+x@example.vn'), 'lan.anh@example.vn', 'dots matter outside Gmail');
    assert.deepEqual([5, 10, 20].map(fastThresholdMs), [20_000, 20_000, 30_000]);
  });
});

/** Starts an attempt as if from `ip` (no proxy is trusted, so the socket address is the IP). */
async function startFrom(
  app: FastifyInstance,
  roundId: number,
  cookie: string,
  ip: string,
): Promise<AttemptView> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/rounds/${roundId}/attempts`,
    headers: { cookie, 'content-type': 'application/json' },
    payload: '{}',
    remoteAddress: ip,
  });
  return ok<{ attempt: AttemptView }>(res, 201).attempt;
}

describe('suspicion flags', async () => {
  const t = await makeApp();
  after(t.close);
  const { app } = t;
  let r: ReportRound;
  let judge: Account;
  const people: Account[] = [];
  const attemptOf: number[] = [];

  // fields, IP, right answers (of 5), time taken
  const PLAN: [Record<string, string> | { email: string; fullName: string }, string, number, number][] = [
    [{ fullName: 'Nguyễn Văn An', idNumber: '001 301 000 001' }, '203.0.113.7', 3, 60_000],
    [{ fullName: 'Nguyễn Văn Ân', idNumber: '001301000001' }, '203.0.113.7', 3, 60_000],
    [{ fullName: 'Trần Thị Bích', phone: '0912 345 678' }, '203.0.113.7', 3, 60_000],
    [{ fullName: 'Trần Thị Bé', phone: '+84 912.345.678' }, '203.0.113.7', 3, 60_000],
    [{ fullName: 'Trần Thị Bảy', phone: '0912-345-678', idNumber: '001301000002' }, '203.0.113.7', 3, 60_000],
    [{ email: 'Lan.Anh+thi@gmail.com', fullName: 'Lê Lan Anh' }, '198.51.100.1', 3, 60_000],
    [{ email: 'lananh@gmail.com', fullName: 'Lê Lan Anh' }, '198.51.100.2', 3, 60_000],
    [{ fullName: 'Phạm Nhanh', phone: '0987 654 321' }, '198.51.100.3', 5, 10_000], // fast, 5/5
    [{ fullName: 'Phạm Đoán', phone: '0987 654 322' }, '198.51.100.3', 2, 10_000], // fast but 2/5
    [{ fullName: 'Phạm Giỏi', phone: '0987 654 323' }, '198.51.100.3', 5, 25_000], // 5/5 in 25 s
  ];

  before(async () => {
    judge = await makeAccountWithRoles(app, ['judge'], 'judge');
    r = await makeReportRound(t, { questions: 5 });
    for (const [fields] of PLAN) {
      if ('email' in fields) {
        const account = await registerAccount(app, fields.email, fields.fullName);
        await enter(app, r.fixture.slug, account.cookie, { fullName: fields.fullName, group: 'A' });
        people.push(account);
      } else {
        people.push(await makeParticipant(app, r.fixture.slug, { ...fields, group: 'B' }));
      }
    }
    for (const [i, [, ip, right, takeMs]] of PLAN.entries()) {
      const cookie = people[i]!.cookie;
      const attempt = await startFrom(app, r.roundId, cookie, ip);
      await answerAttempt(app, attempt, cookie, right);
      t.clock.advance(takeMs);
      const s = await submit(app, attempt.id, cookie);
      assert.equal(s.durationMs, takeMs);
      attemptOf.push(attempt.id);
    }
  });

  const ids = (...is: number[]) => ({
    userIds: is.map((i) => people[i]!.id),
    attemptIds: is.map((i) => attemptOf[i]!),
  });

  test('only judges (and admins) see flags; 404 for an unknown round', async () => {
    refusal(await get(app, `/api/rounds/${r.roundId}/flags`), 401, 'UNAUTHENTICATED');
    refusal(await get(app, `/api/rounds/${r.roundId}/flags`, people[0]!.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, `/api/rounds/${r.roundId}/flags`, r.fixture.organiser.cookie), 403, 'FORBIDDEN');
    refusal(await get(app, '/api/rounds/999999/flags', judge.cookie), 404, 'ROUND_NOT_FOUND');
    const admin = await makeAccountWithRoles(app, ['admin'], 'admin');
    ok(await get(app, `/api/rounds/${r.roundId}/flags`, admin.cookie));
  });

  test('planted duplicates, the fast attempt and the shared IP are flagged, and nothing else', async () => {
    const { flags } = ok<{ flags: Flag[] }>(await get(app, `/api/rounds/${r.roundId}/flags`, judge.cookie));
    const sorted = (f: Flag) => ({
      ...f,
      userIds: [...f.userIds].sort((a, b) => a - b),
      attemptIds: [...f.attemptIds].sort((a, b) => a - b),
    });
    const expected = (kind: string, value: string, ...is: number[]) => {
      const x = ids(...is);
      return sorted({ kind, value, ...x });
    };
    assert.deepEqual(flags.map(sorted), [
      expected('same_id_number', '001301000001', 0, 1),
      expected('same_phone', '0912345678', 2, 3, 4),
      expected('same_email', 'lananh@gmail.com', 5, 6),
      expected('fast_attempt', '10.000 s, 5/5', 7),
      expected('shared_ip', '203.0.113.7', 0, 1, 2, 3, 4),
    ]);
  });

  test('a voided attempt no longer counts towards a shared IP', async () => {
    ok(
      await app.inject({
        method: 'POST',
        url: `/api/attempts/${attemptOf[4]}/void`,
        headers: { cookie: judge.cookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ reason: 'same person as another account' }),
      }),
    );
    const { flags } = ok<{ flags: Flag[] }>(await get(app, `/api/rounds/${r.roundId}/flags`, judge.cookie));
    assert.deepEqual(
      flags.map((f) => f.kind),
      ['same_id_number', 'same_phone', 'same_email', 'fast_attempt'],
    );
    const phone = flags.find((f) => f.kind === 'same_phone')!;
    assert.deepEqual(
      phone.userIds,
      [people[2]!.id, people[3]!.id],
      'a participant with no counted attempt left drops out',
    );
  });
});
