// The catalogue repositories (users and sessions, contests, banks and questions, authoring) on
// either store (QUIZARENA_TEST_STORE): each scenario drives every method through the same code and
// checks what it returns; on PostgreSQL the scenario also runs on a fresh SQLite store and the two
// results must be equal (times aside), so that the port returns what the SQLite repositories do:
// the same rows in the same order, LIKE folding ASCII letters only, unique refusals worded alike.
// Then, on PostgreSQL, two nodes at once: sign-ups racing for one email, bulk tagging and edits of
// the same questions, imports interleaving, and unit lists of one contest replaced together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthoringRepository, type AuthoringRepository } from '../src/authoring.ts';
import { createBankRepository, type BankRepository, type NewQuestion } from '../src/banks.ts';
import { createContestRepository, type ContestRepository, type NewRound } from '../src/contests.ts';
import { openPostgres, type Database, type PgDatabase } from '../src/database.ts';
import { createPgAuthoringRepository } from '../src/pg/authoring.ts';
import { createPgBankRepository } from '../src/pg/banks.ts';
import { createPgContestRepository } from '../src/pg/contests.ts';
import { createPgSessionRepository, createPgUserRepository } from '../src/pg/users.ts';
import type { Role } from '../src/schema.ts';
import { createTestPgDatabase, openTestStore, testStoreKind } from '../src/testing.ts';
import {
  createSessionRepository,
  createUserRepository,
  type SessionRepository,
  type UserRepository,
} from '../src/users.ts';

interface Repos {
  users: UserRepository;
  sessions: SessionRepository;
  contests: ContestRepository;
  banks: BankRepository;
  authoring: AuthoringRepository;
}

/** The repositories under test, on the store's own implementations. */
const repos = (database: Database): Repos =>
  database.kind === 'sqlite'
    ? {
        users: createUserRepository(database.db),
        sessions: createSessionRepository(database.db),
        contests: createContestRepository(database.db),
        banks: createBankRepository(database.db),
        authoring: createAuthoringRepository(database.db),
      }
    : {
        users: createPgUserRepository(database.db),
        sessions: createPgSessionRepository(database.db),
        contests: createPgContestRepository(database.db),
        banks: createPgBankRepository(database.db),
        authoring: createPgAuthoringRepository(database.db),
      };

/** Columns the repositories fill from the clock: equal on both stores only by chance. */
const CLOCK_KEYS = new Set(['createdAt', 'updatedAt', 'publishedAt']);

/** Results in a comparable form: clock times masked, Maps and Sets as arrays (their order counts). */
function normalise(value: unknown): unknown {
  if (value instanceof Map) return { map: [...value].map(normalise) };
  if (value instanceof Set) return { set: [...value].map(normalise) };
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        CLOCK_KEYS.has(k) && typeof v === 'number' ? 'clock' : normalise(v),
      ]),
    );
  }
  return value;
}

/** A refusal's message ('ok' when the call succeeded): SQLite's wording on either store. */
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (err: Error) => err.message,
  );

const user = (r: Repos, email: string, name: string, roles: Role[] = ['organiser']) =>
  r.users.create({ email, name, passwordHash: 'h', roles });

const question = (stem: string, over: Partial<NewQuestion> = {}): NewQuestion => ({
  type: 'single',
  stem,
  options: [
    { id: 'a', text: 'Paris', correct: true },
    { id: 'b', text: 'Lyon', correct: false },
  ],
  points: 1,
  tags: [],
  difficulty: null,
  explanation: null,
  ...over,
});

const round = (
  contestId: number,
  title: string,
  opensAt: number,
  over: Partial<NewRound> = {},
): NewRound => ({
  contestId,
  title,
  opensAt,
  closesAt: opensAt + 3_600_000,
  timeLimitSec: 600,
  questionCount: 2,
  maxAttempts: 1,
  draw: [{ bankId: 1, count: 2 }],
  showAnswers: 'after_close',
  showLeaderboard: 'immediately',
  ...over,
});

/** An attempt row as the attempt repository would write it (only the columns read here). */
const attempt = async (
  database: Database,
  a: { roundId: number; userId: number; entryId: number; status: string; submittedAt?: number | null },
): Promise<number> =>
  (
    await database.query<{ id: number }>(
      `INSERT INTO attempts (round_id, user_id, entry_id, seed, status, started_at, deadline, submitted_at, max_score)
       VALUES (?, ?, ?, 's', ?, 0, 9000000000000, ?, 2) RETURNING id`,
      [a.roundId, a.userId, a.entryId, a.status, a.submittedAt ?? null],
    )
  ).rows[0]!.id;

const showQuestion = (database: Database, attemptId: number, questionId: number) =>
  database.query(
    `INSERT INTO attempt_questions (attempt_id, position, question_id, snapshot) VALUES (?, 0, ?, '{}')`,
    [attemptId, questionId],
  );

type Scenario = (database: Database) => Promise<Record<string, unknown>>;

const usersScenario: Scenario = async (database) => {
  const r = repos(database);
  const alice = await user(r, 'alice@x.org', 'Alice', ['participant']);
  const bob = await user(r, 'bob@x.org', 'Bob_ÉCOLE', ['organiser', 'judge']);
  const carl = await user(r, 'carl@y.org', 'carl\\50%');
  const dave = await user(r, 'dave@x.org', 'école');
  assert.deepEqual(
    [alice, bob, carl, dave].map((u) => u.id),
    [1, 2, 3, 4],
  );
  assert.deepEqual(bob.roles, ['organiser', 'judge']);
  const names = async (q: string | undefined, limit = 10, offset = 0) =>
    (await r.users.list(q, limit, offset)).map((u) => u.name);
  const lists = {
    all: await names(undefined),
    page: await names(undefined, 2, 1),
    upper: await names('ALICE'),
    domain: await names('X.ORG'),
    // LIKE folds ASCII letters only: É does not match é.
    accentUpper: await names('É'),
    accentLower: await names('é'),
    accentWord: await names('ÉCOLE'),
    underscoreIsWildcard: await names('_'),
    percentIsWildcard: await names('50%'),
    backslashIsLiteral: await names('\\'),
    none: await names('zzz'),
  };
  assert.deepEqual(lists, {
    all: ['Alice', 'Bob_ÉCOLE', 'carl\\50%', 'école'],
    page: ['Bob_ÉCOLE', 'carl\\50%'],
    upper: ['Alice'],
    domain: ['Alice', 'Bob_ÉCOLE', 'école'],
    accentUpper: ['Bob_ÉCOLE'],
    accentLower: ['école'],
    accentWord: ['Bob_ÉCOLE'],
    underscoreIsWildcard: ['Alice', 'Bob_ÉCOLE', 'carl\\50%', 'école'],
    percentIsWildcard: ['carl\\50%'],
    backslashIsLiteral: ['carl\\50%'],
    none: [],
  });
  const found = {
    byEmail: await r.users.findByEmail('alice@x.org'),
    byEmailOtherCase: await r.users.findByEmail('ALICE@x.org'),
    byId: await r.users.findById(bob.id),
    missing: await r.users.findById(999),
  };
  assert.equal(found.byEmail?.id, alice.id);
  assert.equal(found.byEmailOtherCase, undefined);
  const updated = await r.users.update(bob.id, { name: 'Robert', roles: ['admin'] });
  assert.deepEqual([updated?.name, updated?.roles, updated?.email], ['Robert', ['admin'], 'bob@x.org']);
  const updateMissing = await r.users.update(999, { name: 'x' });
  assert.equal(updateMissing, undefined);
  // Last: a refused insert may use up an id on PostgreSQL (sequences are not rolled back).
  const duplicate = await outcome(user(r, 'alice@x.org', 'Again'));
  assert.equal(duplicate, 'UNIQUE constraint failed: users.email');

  const s = r.sessions;
  await s.create('s1', alice.id, 2000);
  await s.create('s2', bob.id, 500);
  const sessions = {
    live: (await s.findUser('s1', 1000))?.email,
    expiresNow: await s.findUser('s1', 2000),
    expired: await s.findUser('s2', 1000),
    unknown: await s.findUser('nope', 0),
    duplicate: await outcome(s.create('s1', bob.id, 3000)),
    deleted: await s.deleteExpired(1000),
    deletedAgain: await s.deleteExpired(1000),
  };
  await s.delete('s1');
  await s.delete('s1');
  assert.deepEqual(sessions, {
    live: 'alice@x.org',
    expiresNow: undefined,
    expired: undefined,
    unknown: undefined,
    duplicate: 'UNIQUE constraint failed: sessions.id',
    deleted: 1,
    deletedAgain: 0,
  });
  assert.equal(await s.findUser('s1', 0), undefined);
  return { alice, bob, carl, dave, lists, found, updated, updateMissing, duplicate, sessions };
};

const contestsScenario: Scenario = async (database) => {
  const r = repos(database);
  const owner = await user(r, 'o@x.org', 'Owner');
  const p1 = await user(r, 'p1@x.org', 'P1', ['participant']);
  const p2 = await user(r, 'p2@x.org', 'P2', ['participant']);
  const c1 = await r.contests.create(
    {
      ownerId: owner.id,
      slug: 'c1',
      title: 'First',
      registrationFields: [{ key: 'unit', label: 'Unit', type: 'unit', required: true }],
      groups: [{ key: 'a', name: 'A' }],
      status: 'draft',
    },
    [
      { code: 'U2', name: 'Two', parentCode: null, headcount: 5 },
      { code: 'U1', name: 'One', parentCode: 'U2', headcount: null },
    ],
  );
  assert.deepEqual(
    [c1.id, c1.status, c1.timeZone, c1.description, c1.publishedAt],
    [1, 'draft', 'Asia/Ho_Chi_Minh', '', null],
  );
  const c2 = await r.contests.create(
    { ownerId: owner.id, slug: 'c2', title: 'Second', registrationFields: [], groups: [], status: 'draft' },
    [],
  );
  const c3 = await r.contests.create(
    { ownerId: owner.id, slug: 'c3', title: 'Third', registrationFields: [], groups: [], status: 'closed' },
    [],
  );
  const published = await r.contests.setStatus(c2.id, 'published');
  assert.equal(typeof published?.publishedAt, 'number');
  const closed = await r.contests.setStatus(c1.id, 'closed');
  assert.equal(closed?.publishedAt, null);
  const lookups = {
    bySlug: await r.contests.bySlug('c2'),
    bySlugMissing: await r.contests.bySlug('nope'),
    byId: await r.contests.byId(c3.id),
    byIdMissing: await r.contests.byId(999),
    setStatusMissing: await r.contests.setStatus(999, 'closed'),
    visible: (await r.contests.listVisible()).map((c) => c.slug),
    units: (await r.contests.units(c1.id)).map((u) => [u.code, u.parentCode, u.headcount]),
    noUnits: await r.contests.units(c2.id),
  };
  assert.deepEqual(lookups.visible, ['c1', 'c2', 'c3']);
  assert.deepEqual(lookups.units, [
    ['U2', null, 5],
    ['U1', 'U2', null],
  ]);

  const rLate = await r.contests.createRound(
    round(c1.id, 'Late', 5000, { prizeBands: [{ name: 'Gold', count: 1 }] }),
  );
  const rEarly = await r.contests.createRound(
    round(c1.id, 'Early', 1000, { shuffleOptions: false, partialCredit: true }),
  );
  const rTie = await r.contests.createRound(round(c1.id, 'Tie', 5000));
  const rOther = await r.contests.createRound(
    round(c2.id, 'Other', 0, { predictionKind: 'count', predictionPrompt: 'How many?' }),
  );
  assert.deepEqual(
    [
      rEarly.shuffleQuestions,
      rEarly.shuffleOptions,
      rEarly.partialCredit,
      rEarly.resultsStatus,
      rEarly.prizeBands,
    ],
    [true, false, true, 'open', []],
  );
  const rounds = {
    round: await r.contests.round(rLate.id),
    missing: await r.contests.round(999),
    of: (await r.contests.roundsOf(c1.id)).map((x) => x.title),
    all: (await r.contests.allRounds()).map((x) => x.title),
  };
  assert.deepEqual(rounds.of, ['Early', 'Late', 'Tie']);
  assert.deepEqual(rounds.all, ['Late', 'Early', 'Tie', 'Other']);
  assert.deepEqual(rounds.round?.prizeBands, [{ name: 'Gold', count: 1 }]);

  const e1 = await r.contests.createEntry({
    contestId: c1.id,
    userId: p1.id,
    fullName: 'Phan',
    unitCode: 'U1',
    groupKey: 'a',
    fields: { unit: 'U1', locality: 'Huế' },
    createdAt: 1234,
  });
  assert.deepEqual([e1.createdAt, e1.fields], [1234, { unit: 'U1', locality: 'Huế' }]);
  const e2 = await r.contests.createEntry({ contestId: c1.id, userId: p2.id, fullName: 'P2', fields: {} });
  const entries = {
    e1,
    e2,
    entry: await r.contests.entry(c1.id, p1.id),
    none: await r.contests.entry(c2.id, p1.id),
    updated: await r.contests.updateEntry(e2.id, {
      fullName: 'Pé',
      unitCode: 'U2',
      groupKey: null,
      fields: { x: 'y' },
    }),
    updateMissing: await r.contests.updateEntry(999, {
      fullName: 'x',
      unitCode: null,
      groupKey: null,
      fields: {},
    }),
  };
  assert.equal(entries.entry?.id, e1.id);
  assert.deepEqual(entries.updated?.fields, { x: 'y' });
  // Refusals last (they may use up ids on PostgreSQL); a refused contest leaves nothing behind.
  const refusals = {
    entryTwice: await outcome(
      r.contests.createEntry({ contestId: c1.id, userId: p1.id, fullName: 'Again', fields: {} }),
    ),
    slugTaken: await outcome(
      r.contests.create(
        { ownerId: owner.id, slug: 'c1', title: 'X', registrationFields: [], groups: [], status: 'draft' },
        [],
      ),
    ),
    unitTwice: await outcome(
      r.contests.create(
        { ownerId: owner.id, slug: 'c4', title: 'X', registrationFields: [], groups: [], status: 'draft' },
        [
          { code: 'A', name: 'A', parentCode: null, headcount: null },
          { code: 'A', name: 'B', parentCode: null, headcount: null },
        ],
      ),
    ),
    rolledBack: await r.contests.bySlug('c4'),
  };
  assert.deepEqual(refusals, {
    entryTwice: 'UNIQUE constraint failed: entries.contest_id, entries.user_id',
    slugTaken: 'UNIQUE constraint failed: contests.slug',
    unitTwice: 'UNIQUE constraint failed: units.contest_id, units.code',
    rolledBack: undefined,
  });
  return { c1, c2, c3, published, closed, lookups, rLate, rEarly, rTie, rOther, rounds, entries, refusals };
};

const banksScenario: Scenario = async (database) => {
  const r = repos(database);
  const owner = await user(r, 'o@x.org', 'Owner');
  const other = await user(r, 'other@x.org', 'Other');
  const b1 = await r.banks.create(owner.id, 'One');
  const b2 = await r.banks.create(other.id, 'Two');
  const b3 = await r.banks.create(owner.id, 'Three');
  assert.deepEqual([b1.status, b1.updatedAt], ['active', null]);
  const ids = await r.banks.addQuestions(b1.id, [
    question('Capital of France?', { tags: ['geo', 'eu', 'geo'], difficulty: 2 }),
    question('capital of Spain? 50% sure', { tags: ['geo'], type: 'multiple' }),
    question('Élan vital', { tags: ['philo'], difficulty: 1, explanation: 'Bergson_x' }),
    question('apple', {
      difficulty: 3,
      points: 2.5,
      options: [
        { id: 't', text: 'True', correct: true },
        { id: 'f', text: 'False', correct: false },
      ],
      type: 'truefalse',
    }),
    question('Banana', { tags: ['fruit'], difficulty: 1 }),
  ]);
  assert.deepEqual(ids, [1, 2, 3, 4, 5]);
  const [qFrance, qSpain, qElan, qApple, qBanana] = ids as [number, number, number, number, number];
  const more = await r.banks.addQuestions(b2.id, [question('Other bank', { tags: ['geo'] })]);
  assert.deepEqual(more, [6]);
  assert.deepEqual(await r.banks.addQuestions(b3.id, []), []);

  const tagRows = async () =>
    (
      await database.query<{ question_id: number; tag: string }>(
        'SELECT question_id, tag FROM question_tags ORDER BY question_id, tag',
      )
    ).rows.map((t) => `${t.question_id}:${t.tag}`);
  const added = {
    list: (await r.banks.listQuestions(b1.id)).map((q) => [
      q.id,
      q.rootId,
      q.revision,
      q.status,
      q.tags,
      q.points,
    ]),
    tags: await tagRows(),
  };
  assert.deepEqual(added.list[0], [1, 1, 1, 'active', ['geo', 'eu', 'geo'], 1]);
  assert.deepEqual(added.tags, ['1:eu', '1:geo', '2:geo', '3:philo', '5:fruit', '6:geo']);

  const stems = (rows: { stem: string }[]) => rows.map((q) => q.stem);
  const search = async (
    f: Parameters<BankRepository['search']>[1],
    sort: Parameters<BankRepository['search']>[2] = 'oldest',
    limit = 50,
    offset = 0,
  ) => {
    const { total, rows } = await r.banks.search(b1.id, f, sort, limit, offset);
    return [total, stems(rows)];
  };
  const reads = {
    get: await r.banks.get(b1.id),
    getMissing: await r.banks.get(999),
    listAll: await r.banks.list(null),
    listOwner: await r.banks.list(owner.id),
    byIds: (await r.banks.questionsByIds([qElan, qFrance, 999, qSpain, qFrance])).map((q) => q.id),
    byNoIds: await r.banks.questionsByIds([]),
    anyTag: await r.banks.candidateIds({ bankId: b1.id, tags: ['geo', 'philo'] }),
    difficulty: await r.banks.candidateIds({ bankId: b1.id, difficulty: [1, 2] }),
    tagAndDifficulty: await r.banks.candidateIds({ bankId: b1.id, tags: ['geo'], difficulty: [2] }),
    unknownTag: await r.banks.candidateIds({ bankId: b1.id, tags: ['none'] }),
    every: await r.banks.candidateIds({ bankId: b1.id, tags: [], difficulty: [] }),
  };
  assert.deepEqual(
    reads.listAll.map((b) => [b.name, b.questionCount]),
    [
      ['One', 5],
      ['Two', 1],
      ['Three', 0],
    ],
  );
  assert.deepEqual(reads.byIds, [qFrance, qSpain, qElan]);
  assert.deepEqual(reads.anyTag, [qFrance, qSpain, qElan]);
  assert.deepEqual(reads.difficulty, [qFrance, qElan, qBanana]);
  assert.deepEqual(reads.every, [1, 2, 3, 4, 5]);

  const searches = {
    caseFolded: await search({ q: 'CAPITAL' }),
    percentLiteral: await search({ q: '50%' }),
    percentAlone: await search({ q: '%' }),
    underscoreLiteral: await search({ q: '_' }),
    inOptions: await search({ q: 'paris' }),
    optionsAsJson: await search({ q: '"correct":true' }),
    accentNotFolded: await search({ q: 'élan' }),
    accent: await search({ q: 'Élan' }),
    inExplanation: await search({ q: 'bergson' }),
    byTag: await search({ tag: 'geo' }),
    byType: await search({ type: 'truefalse' }),
    byDifficulty: await search({ difficulty: 1 }),
    byIds: await search({ ids: [qApple, qFrance] }),
    byNoIds: await search({ ids: [] }),
    sortStem: await search({}, 'stem'),
    sortDifficulty: await search({}, 'difficulty'),
    sortNewest: await search({}, 'newest'),
    page: await search({}, 'oldest', 2, 1),
    pageSearched: await search({ q: 'a' }, 'stem', 2, 2),
  };
  assert.deepEqual(searches.caseFolded, [2, ['Capital of France?', 'capital of Spain? 50% sure']]);
  assert.deepEqual(searches.percentLiteral, [1, ['capital of Spain? 50% sure']]);
  assert.deepEqual(searches.percentAlone, [1, ['capital of Spain? 50% sure']]);
  assert.deepEqual(searches.underscoreLiteral, [1, ['Élan vital']]);
  assert.deepEqual(searches.inOptions[0], 4);
  assert.deepEqual(searches.optionsAsJson[0], 5);
  assert.deepEqual(searches.accentNotFolded, [0, []]);
  assert.deepEqual(searches.accent, [1, ['Élan vital']]);
  // Byte order: upper case, then lower case, then non-ASCII.
  assert.deepEqual(searches.sortStem[1], [
    'Banana',
    'Capital of France?',
    'apple',
    'capital of Spain? 50% sure',
    'Élan vital',
  ]);
  // NULL difficulty first, then ascending, ties by id.
  assert.deepEqual(searches.sortDifficulty[1], [
    'capital of Spain? 50% sure',
    'Élan vital',
    'Banana',
    'Capital of France?',
    'apple',
  ]);
  assert.deepEqual(searches.page, [5, ['capital of Spain? 50% sure', 'Élan vital']]);

  // An edit in place (no attempt showed the question), then edits of a question attempts showed.
  const c = await r.contests.create(
    { ownerId: owner.id, slug: 'c', title: 'C', registrationFields: [], groups: [], status: 'published' },
    [],
  );
  const rd = await r.contests.createRound(round(c.id, 'R', 0));
  const entry = await r.contests.createEntry({
    contestId: c.id,
    userId: owner.id,
    fullName: 'O',
    fields: {},
  });
  const a = await attempt(database, {
    roundId: rd.id,
    userId: owner.id,
    entryId: entry.id,
    status: 'submitted',
    submittedAt: 5,
  });
  const usedBefore = await r.banks.isUsed(qSpain);
  await showQuestion(database, a, qSpain);
  const inPlace = (await r.banks.revise(
    qFrance,
    question('Capital of France, again?', { tags: ['eu', 'capitals', 'eu'], difficulty: 4 }),
    false,
  ))!;
  assert.deepEqual(
    [inPlace.id, inPlace.revision, inPlace.stem, inPlace.tags],
    [qFrance, 1, 'Capital of France, again?', ['eu', 'capitals', 'eu']],
  );
  const used = await r.banks.isUsed(qSpain);
  const revised = (await r.banks.revise(qSpain, question('Spain, revised', { tags: ['geo', 'es'] }), true))!;
  const revisedAgain = (await r.banks.revise(revised.id, question('Spain, third', { tags: ['es'] }), true))!;
  // An edit of a revision that is no longer current (a second edit made from the same page, or on
  // another node) changes nothing: it would make a second revision 2.
  assert.equal(await r.banks.revise(qSpain, question('Spain, stale edit'), true), null);
  assert.equal(await r.banks.revise(revised.id, question('Spain, stale edit'), false), null);
  assert.equal(await r.banks.revise(999, question('nobody'), false), null);
  assert.deepEqual([usedBefore, used], [false, true]);
  assert.deepEqual([revised.rootId, revised.revision, revised.status], [qSpain, 2, 'active']);
  assert.deepEqual([revisedAgain.rootId, revisedAgain.revision], [qSpain, 3]);
  const revisions = {
    inPlace,
    revised,
    revisedAgain,
    old: await r.banks.question(qSpain),
    missing: await r.banks.question(999),
    history: (await r.banks.history(qSpain)).map((q) => [q.id, q.revision, q.status, q.stem]),
    historyOfOriginal: (await r.banks.history(qElan)).map((q) => q.id),
    tags: await tagRows(),
    drawable: await r.banks.candidateIds({ bankId: b1.id, tags: ['geo', 'es'] }),
  };
  assert.equal(revisions.old?.status, 'superseded');
  assert.deepEqual(revisions.history, [
    [qSpain, 1, 'superseded', 'capital of Spain? 50% sure'],
    [revised.id, 2, 'superseded', 'Spain, revised'],
    [revisedAgain.id, 3, 'active', 'Spain, third'],
  ]);
  assert.deepEqual(revisions.drawable, [revisedAgain.id]);

  const bulk = {
    retired: await r.banks.retire(b1.id, [qApple, qSpain, 999, more[0]!]),
    retiredAgain: await r.banks.retire(b1.id, [qApple]),
    retireNone: await r.banks.retire(b1.id, []),
    retagged: await r.banks.retag(
      b1.id,
      [qBanana, qFrance, qElan, more[0]!, 999],
      ['new', 'fruit'],
      ['eu', 'philo'],
    ),
    retagNone: await r.banks.retag(b1.id, [], ['x'], []),
    tagsAfter: (await r.banks.listQuestions(b1.id)).map((q) => [q.id, q.tags]),
    tagRows: await tagRows(),
    stems: await r.banks.activeStems(b1.id),
    count: await r.banks.questionCount(b1.id),
    countOther: await r.banks.questionCount(b2.id),
    searchRetired: await search({ status: 'retired' }),
    searchSuperseded: await search({ status: 'superseded' }),
    renamed: await r.banks.update(b1.id, 'Renamed'),
    renameMissing: await r.banks.update(999, 'x'),
    listAfter: await r.banks.list(owner.id),
    matching: stems(await r.banks.matching(b1.id, { q: 'A', tag: 'new' })),
    matchingAll: stems(await r.banks.matching(b1.id, {})),
  };
  assert.deepEqual(
    [bulk.retired, bulk.retiredAgain, bulk.retireNone, bulk.retagged, bulk.retagNone],
    [1, 0, 0, 3, 0],
  );
  assert.deepEqual(
    bulk.tagsAfter.find(([id]) => id === qFrance),
    [qFrance, ['capitals', 'new', 'fruit']],
  );
  assert.deepEqual(
    bulk.tagsAfter.find(([id]) => id === qBanana),
    [qBanana, ['fruit', 'new']],
  );
  // The index order SQLite reads them in: difficulty (NULL first), then id.
  assert.deepEqual(
    bulk.stems.map((s) => s.stem),
    ['Spain, third', 'Élan vital', 'Banana', 'Capital of France, again?'],
  );
  assert.deepEqual([bulk.count, bulk.countOther], [7, 1]);
  assert.deepEqual(bulk.matching, ['Capital of France, again?', 'Élan vital', 'Banana']);
  return { b1, b2, b3, ids, more, added, reads, searches, revisions, bulk };
};

const authoringScenario: Scenario = async (database) => {
  const r = repos(database);
  const a = r.authoring;
  const owner = await user(r, 'o@x.org', 'Zed');
  const bob = await user(r, 'bob@x.org', 'bob');
  const anna = await user(r, 'anna@x.org', 'Anna');
  const emile = await user(r, 'emile@x.org', 'émile');
  const bigBob = await user(r, 'bigbob@x.org', 'Bob');
  const stranger = await user(r, 's@x.org', 'Stranger');

  const beta = await r.banks.create(owner.id, 'beta');
  const alphaUpper = await r.banks.create(owner.id, 'Alpha');
  const alpha = await r.banks.create(bob.id, 'alpha');
  const accent = await r.banks.create(owner.id, 'Énergie');
  await r.banks.addQuestions(beta.id, [
    question('Q1', { tags: ['b', 'a', 'B'] }),
    question('Q2', { tags: ['a', 'é'] }),
    question('Q3', { tags: ['gone'] }),
  ]);
  await r.banks.retire(beta.id, [3]);
  for (const u of [bob, anna, emile, bigBob, anna]) await a.share('bank', beta.id, u.id);
  await a.share('bank', alpha.id, owner.id);

  const shares = {
    shares: await a.shares('bank', beta.id),
    none: await a.shares('bank', alphaUpper.id),
    isShared: await a.isSharedWith('bank', beta.id, anna.id),
    isNotShared: await a.isSharedWith('bank', beta.id, stranger.id),
    otherKind: await a.isSharedWith('contest', beta.id, anna.id),
    unshare: await a.unshare('bank', beta.id, emile.id),
    unshareAgain: await a.unshare('bank', beta.id, emile.id),
    after: (await a.shares('bank', beta.id)).map((s) => s.name),
  };
  assert.deepEqual(
    shares.shares.map((s) => s.name),
    ['Anna', 'Bob', 'bob', 'émile'],
  );
  assert.deepEqual(
    [shares.isShared, shares.isNotShared, shares.otherKind, shares.unshare, shares.unshareAgain],
    [true, false, false, true, false],
  );

  await a.setBankStatus(accent.id, 'retired');
  await a.touchBank(beta.id);
  const bankLists = {
    admin: await a.banks(null, 'active'),
    owner: (await a.banks(owner.id, 'active')).map((b) => b.name),
    bob: (await a.banks(bob.id, 'active')).map((b) => b.name),
    stranger: await a.banks(stranger.id, 'active'),
    retired: (await a.banks(null, 'retired')).map((b) => b.name),
    tags: await a.bankTags(beta.id),
    noTags: await a.bankTags(alpha.id),
    count: await a.bankQuestionCount(beta.id),
  };
  assert.deepEqual(
    bankLists.admin.map((b) => [b.name, b.ownerName, b.questionCount]),
    [
      ['Alpha', 'Zed', 0],
      ['alpha', 'bob', 0],
      ['beta', 'Zed', 2],
    ],
  );
  assert.equal(typeof bankLists.admin[2]!.updatedAt, 'number');
  assert.deepEqual(bankLists.owner, ['Alpha', 'alpha', 'beta']);
  assert.deepEqual(bankLists.bob, ['alpha', 'beta']);
  assert.deepEqual(bankLists.retired, ['Énergie']);
  assert.deepEqual(bankLists.tags, [
    { tag: 'B', count: 1 },
    { tag: 'a', count: 2 },
    { tag: 'b', count: 1 },
    { tag: 'é', count: 1 },
  ]);
  assert.equal(bankLists.count, 2);

  const fields = [{ key: 'unit', label: 'Unit', type: 'unit' as const, required: true }];
  const c1 = await r.contests.create(
    {
      ownerId: owner.id,
      slug: 'c1',
      title: 'One',
      registrationFields: fields,
      groups: [
        { key: 'g1', name: 'G1' },
        { key: 'g2', name: 'G2' },
      ],
      status: 'draft',
    },
    [
      { code: 'U1', name: 'One', parentCode: null, headcount: 10 },
      { code: 'U2', name: 'Two', parentCode: null, headcount: null },
      { code: 'U3', name: 'Three', parentCode: 'U1', headcount: 3 },
    ],
  );
  const c2 = await r.contests.create(
    { ownerId: bob.id, slug: 'c2', title: 'Two', registrationFields: [], groups: [], status: 'published' },
    [],
  );
  const c3 = await r.contests.create(
    { ownerId: owner.id, slug: 'c3', title: 'Three', registrationFields: [], groups: [], status: 'closed' },
    [],
  );
  await a.share('contest', c2.id, owner.id);
  await a.share('contest', c2.id, owner.id);
  const r1 = await r.contests.createRound(round(c1.id, 'R1', 0));
  const r2 = await r.contests.createRound(round(c1.id, 'R2', 100));
  const r3 = await r.contests.createRound(round(c3.id, 'R3', 0));

  // Entries made in an order unlike their users' ids: usedCodes lists codes in user order.
  const q = 900_000;
  const entryOf = async (
    u: { id: number },
    unitCode: string | null,
    groupKey: string | null,
    createdAt: number,
  ) =>
    r.contests.createEntry({
      contestId: c1.id,
      userId: u.id,
      fullName: 'x',
      unitCode,
      groupKey,
      fields: {},
      createdAt,
    });
  const eStranger = await entryOf(stranger, 'U2', 'g2', 10 * q + 5);
  const eAnna = await entryOf(anna, 'U3', null, 10 * q + 1);
  const eBob = await entryOf(bob, 'U2', 'g1', 12 * q);
  const eEmile = await entryOf(emile, 'U3', null, 2 * q);
  await r.contests.createEntry({
    contestId: c3.id,
    userId: anna.id,
    fullName: 'x',
    fields: {},
    createdAt: 11 * q,
  });

  await attempt(database, { roundId: r1.id, userId: bob.id, entryId: eBob.id, status: 'in_progress' });
  await attempt(database, {
    roundId: r1.id,
    userId: anna.id,
    entryId: eAnna.id,
    status: 'submitted',
    submittedAt: 20 * q + 7,
  });
  await attempt(database, {
    roundId: r1.id,
    userId: anna.id,
    entryId: eAnna.id,
    status: 'expired',
    submittedAt: 11 * q,
  });
  await attempt(database, {
    roundId: r1.id,
    userId: emile.id,
    entryId: eEmile.id,
    status: 'voided',
    submittedAt: 20 * q,
  });
  await attempt(database, {
    roundId: r2.id,
    userId: stranger.id,
    entryId: eStranger.id,
    status: 'submitted',
    submittedAt: 20 * q + 1,
  });
  await attempt(database, {
    roundId: r2.id,
    userId: bob.id,
    entryId: eBob.id,
    status: 'submitted',
    submittedAt: 5 * q,
  });

  const contestLists = {
    admin: await a.contests(null),
    owner: (await a.contests(owner.id)).map((c) => c.slug),
    bob: (await a.contests(bob.id)).map((c) => c.slug),
    anna: await a.contests(anna.id),
    ownerName: await a.ownerName(owner.id),
    ownerNameMissing: await a.ownerName(999),
    entryCount: await a.entryCount(c1.id),
    entryCountNone: await a.entryCount(c2.id),
    used: await a.usedCodes(c1.id),
    usedNone: await a.usedCodes(c2.id),
    slugTaken: await a.slugTaken('c2', c1.id),
    slugOwn: await a.slugTaken('c1', c1.id),
    slugFree: await a.slugTaken('c9', c1.id),
    attemptCount: await a.attemptCount(r1.id),
    attemptCountNone: await a.attemptCount(r3.id),
    attemptCounts: await a.attemptCounts([r3.id, r2.id, r1.id, 999]),
    attemptCountsNone: await a.attemptCounts([]),
    dashboard: await a.dashboard(c1.id, 11 * q, 10 * q),
    dashboardQuiet: await a.dashboard(c3.id, 0, 0),
    dashboardEmpty: await a.dashboard(c2.id, 0, 0),
  };
  assert.deepEqual(
    contestLists.admin.map((c) => [c.slug, c.ownerName, c.rounds, c.entries]),
    [
      ['c3', 'Zed', 1, 1],
      ['c2', 'bob', 0, 0],
      ['c1', 'Zed', 2, 4],
    ],
  );
  assert.deepEqual(contestLists.owner, ['c3', 'c2', 'c1']);
  assert.deepEqual(contestLists.bob, ['c2']);
  assert.deepEqual(contestLists.anna, []);
  assert.deepEqual([...contestLists.used.units], ['U2', 'U3']);
  assert.deepEqual([...contestLists.used.groups], ['g1', 'g2']);
  assert.deepEqual(
    [contestLists.slugTaken, contestLists.slugOwn, contestLists.slugFree],
    [true, false, false],
  );
  assert.deepEqual(
    [...contestLists.attemptCounts],
    [
      [r1.id, 4],
      [r2.id, 2],
    ],
  );
  assert.deepEqual(contestLists.dashboard, {
    perRound: [
      { roundId: r1.id, inProgress: 1, submitted: 2, submittedToday: 2, participants: 3 },
      { roundId: r2.id, inProgress: 0, submitted: 2, submittedToday: 1, participants: 2 },
    ],
    entries: 4,
    entryBuckets: [
      { bucket: 10, n: 2 },
      { bucket: 12, n: 1 },
    ],
    submitBuckets: [
      { bucket: 11, n: 1 },
      { bucket: 20, n: 2 },
    ],
  });
  assert.deepEqual(contestLists.dashboardEmpty, {
    perRound: [],
    entries: 0,
    entryBuckets: [],
    submitBuckets: [],
  });

  const edits = {
    patched: await a.updateContest(
      c1.id,
      { title: 'Renamed', slug: 'c1-new', groups: [{ key: 'g1', name: 'One' }] },
      [
        { code: 'U3', name: 'Three', parentCode: null, headcount: 1 },
        { code: 'U2', name: 'Two', parentCode: null, headcount: 2 },
      ],
    ),
    unitsAfter: (await r.contests.units(c1.id)).map((u) => [u.code, u.headcount]),
    unchanged: await a.updateContest(c3.id, {}),
    unitsOnly: await a.updateContest(c3.id, {}, [
      { code: 'X', name: 'X', parentCode: null, headcount: null },
    ]),
    roundPatched: await a.updateRound(r2.id, {
      title: 'R2b',
      shuffleOptions: false,
      draw: [{ bankId: beta.id, tags: ['a'], count: 1 }],
    }),
    roundMissing: await a.updateRound(999, { title: 'x' }),
  };
  assert.deepEqual(
    [edits.patched.title, edits.patched.slug, edits.patched.groups],
    ['Renamed', 'c1-new', [{ key: 'g1', name: 'One' }]],
  );
  assert.deepEqual(edits.unitsAfter, [
    ['U3', 1],
    ['U2', 2],
  ]);
  assert.deepEqual([edits.roundPatched.title, edits.roundPatched.shuffleOptions], ['R2b', false]);
  assert.equal(edits.roundMissing, undefined);
  await a.deleteRound(r3.id);
  await a.deleteRound(999);

  const image = {
    sha256: 'abc',
    type: 'image/png',
    bytes: 10,
    width: 2,
    height: null,
    createdBy: owner.id,
    createdAt: 77,
  };
  await a.addImage(image);
  await a.addImage({ ...image, type: 'image/jpeg', bytes: 99 });
  const images = {
    image: await a.image('abc'),
    missing: await a.image('nope'),
    deletedRound: await r.contests.round(r3.id),
  };
  assert.deepEqual(images.image, image);
  // Refusals last; each leaves the contest as it was.
  const refusals = {
    slug: await outcome(a.updateContest(c3.id, { slug: 'c2', title: 'Lost' })),
    units: await outcome(
      a.updateContest(c3.id, { title: 'Lost' }, [
        { code: 'Y', name: 'Y', parentCode: null, headcount: null },
        { code: 'Y', name: 'Z', parentCode: null, headcount: null },
      ]),
    ),
    after: await r.contests.byId(c3.id),
    unitsAfter: (await r.contests.units(c3.id)).map((u) => u.code),
  };
  assert.deepEqual(
    [refusals.slug, refusals.units, refusals.after?.title, refusals.after?.slug, refusals.unitsAfter],
    [
      'UNIQUE constraint failed: contests.slug',
      'UNIQUE constraint failed: units.contest_id, units.code',
      'Three',
      'c3',
      ['X'],
    ],
  );
  return { shares, bankLists, contestLists, edits, images, refusals };
};

const scenarios: [string, Scenario][] = [
  [
    'users and sessions: create, look up, search with SQLite LIKE, update, expire, refuse duplicates',
    usersScenario,
  ],
  ['contests: create with units, statuses, rounds in order, entries, refusals rolled back', contestsScenario],
  [
    'banks: imports, draws by tag and difficulty, search and sorts, revisions, retire, bulk tags',
    banksScenario,
  ],
  [
    'authoring: shares, organiser lists in byte order, used codes, contest edits, images, dashboard',
    authoringScenario,
  ],
];

for (const [name, scenario] of scenarios) {
  test(name, async () => {
    const database = await openTestStore();
    try {
      const result = await scenario(database);
      if (database.kind === 'postgres') {
        const reference = await openTestStore({ kind: 'sqlite' });
        try {
          assert.deepStrictEqual(
            normalise(result),
            normalise(await scenario(reference)),
            'PostgreSQL differs from SQLite',
          );
        } finally {
          await reference.close();
        }
      }
    } finally {
      await database.close();
    }
  });
}

// Two API nodes over one PostgreSQL database: two pools on the same URL, racing.
const pgOnly = {
  skip: testStoreKind() !== 'postgres' ? 'PostgreSQL only (QUIZARENA_TEST_STORE=postgres)' : false,
};

async function twoNodes(): Promise<{ a: PgDatabase; b: PgDatabase; close(): Promise<void> }> {
  const created = await createTestPgDatabase();
  try {
    const a = await openPostgres(created.url, { pool: 4 });
    const b = await openPostgres(created.url, { pool: 4 }).catch(async (err: unknown) => {
      await a.close();
      throw err;
    });
    return {
      a,
      b,
      async close() {
        await Promise.allSettled([a.close(), b.close()]);
        await created.drop();
      },
    };
  } catch (err) {
    await created.drop();
    throw err;
  }
}

test('two nodes signing up one email: one account, the other refused as on SQLite', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [ra, rb] = [repos(nodes.a), repos(nodes.b)];
    for (let i = 0; i < 10; i++) {
      const results = await Promise.allSettled([user(ra, `u${i}@x.org`, 'A'), user(rb, `u${i}@x.org`, 'B')]);
      assert.equal(results.filter((x) => x.status === 'fulfilled').length, 1);
      const refused = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(refused.reason), /UNIQUE constraint failed: users\.email/);
    }
    assert.equal((await ra.users.list(undefined, 100, 0)).length, 10);
  } finally {
    await nodes.close();
  }
});

test('two nodes tagging and editing the same questions: no tag is lost', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [ra, rb] = [repos(nodes.a), repos(nodes.b)];
    const owner = await user(ra, 'o@x.org', 'O');
    const bank = await ra.banks.create(owner.id, 'B');
    const ids = await ra.banks.addQuestions(
      bank.id,
      Array.from({ length: 20 }, (_, i) => question(`Q${i}`, { tags: ['start'] })),
    );
    const reversed = [...ids].reverse();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => ra.banks.retag(bank.id, ids, [`a${i}`], [])),
      ...Array.from({ length: 5 }, (_, i) => rb.banks.retag(bank.id, reversed, [`b${i}`], [])),
      // An in-place edit of one question that keeps its tags, meanwhile.
      rb.banks
        .question(ids[3]!)
        .then((q) => rb.banks.revise(q!.id, { ...question('Q3 edited'), tags: q!.tags }, false)),
    ]);
    const expected = ['start', ...Array.from({ length: 5 }, (_, i) => [`a${i}`, `b${i}`]).flat()].sort();
    const tagRows = await nodes.a.query<{ question_id: number; tag: string }>(
      'SELECT question_id, tag FROM question_tags ORDER BY question_id, tag',
    );
    for (const q of await ra.banks.listQuestions(bank.id)) {
      const rows = tagRows.rows.filter((t) => t.question_id === q.id).map((t) => t.tag);
      // The edit read its tags before the bulk edits committed, so it may drop some: but then the
      // json column and the tag rows still agree, as they would on SQLite.
      if (q.id === ids[3]) assert.deepEqual([...q.tags].sort(), rows);
      else assert.deepEqual([...q.tags].sort(), expected);
      assert.deepEqual(rows, [...q.tags].sort());
    }
  } finally {
    await nodes.close();
  }
});

test('two nodes importing at once: each import gets ascending ids with its own tags', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [ra, rb] = [repos(nodes.a), repos(nodes.b)];
    const owner = await user(ra, 'o@x.org', 'O');
    const bank = await ra.banks.create(owner.id, 'B');
    const batch = (node: string) =>
      Array.from({ length: 300 }, (_, i) => question(`${node}${i}`, { tags: [node, `${node}${i}`] }));
    const imports = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? rb : ra).banks.addQuestions(bank.id, batch(`n${i}-`))),
    );
    const all = new Map((await ra.banks.listQuestions(bank.id)).map((q) => [q.id, q]));
    assert.equal(all.size, 1800);
    imports.forEach((ids, n) => {
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
      );
      ids.forEach((id, i) => {
        const q = all.get(id)!;
        assert.deepEqual([q.stem, q.rootId, q.tags], [`n${n}-${i}`, id, [`n${n}-`, `n${n}-${i}`]]);
      });
    });
    const { rows } = await nodes.b.query<{ n: number }>('SELECT count(*) AS n FROM question_tags');
    assert.equal(rows[0]!.n, 3600);
  } finally {
    await nodes.close();
  }
});

test('two nodes replacing one contest’s units together: one list wins whole', pgOnly, async () => {
  const nodes = await twoNodes();
  try {
    const [ra, rb] = [repos(nodes.a), repos(nodes.b)];
    const owner = await user(ra, 'o@x.org', 'O');
    const unitList = (prefix: string) =>
      Array.from({ length: 50 }, (_, i) => ({
        code: `U${i}`,
        name: `${prefix}${i}`,
        parentCode: null,
        headcount: i,
      }));
    const c = await ra.contests.create(
      { ownerId: owner.id, slug: 'c', title: 'C', registrationFields: [], groups: [], status: 'draft' },
      unitList('start'),
    );
    for (let round = 0; round < 10; round++) {
      // Units only (no contest column changes, so no UPDATE of the contest row to wait on).
      const results = await Promise.allSettled([
        ra.authoring.updateContest(c.id, {}, unitList(`a${round}-`)),
        rb.authoring.updateContest(c.id, {}, unitList(`b${round}-`)),
      ]);
      assert.deepEqual(
        results.map((x) => (x.status === 'rejected' ? String(x.reason) : x.status)),
        ['fulfilled', 'fulfilled'],
      );
      const after = (await ra.contests.units(c.id)).map((u) => u.name);
      const winner = after[0]?.startsWith('a') ? `a${round}-` : `b${round}-`;
      assert.deepEqual(
        after,
        unitList(winner).map((u) => u.name),
      );
    }
  } finally {
    await nodes.close();
  }
});
