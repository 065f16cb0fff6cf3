import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyLiveDraft,
  joinUrl,
  liveDraftProblems,
  liveGameBody,
  matchesSearch,
  moveId,
  parseUnits,
  repeatedUnits,
  selectionCount,
  spacedPin,
  toggleId,
  unitsFromContest,
  type LiveGameDraft,
} from '../src/lib/organise-live.ts';

const draft = (over: Partial<LiveGameDraft> = {}): LiveGameDraft => ({
  ...emptyLiveDraft(),
  bankId: 3,
  ...over,
});
const codes = (d: LiveGameDraft) => liveDraftProblems(d).map((p) => `${p.field}:${p.code}`);

test('a new draft has the contract defaults and only lacks a bank', () => {
  const d = emptyLiveDraft();
  assert.equal(d.questionTimeSec, '20');
  assert.equal(d.readingTimeSec, '5');
  assert.deepEqual(codes(d), ['bankId:bankRequired']);
  assert.deepEqual(codes(draft()), []);
});

test('the times are whole seconds in range', () => {
  assert.deepEqual(codes(draft({ questionTimeSec: '4' })), ['questionTimeSec:questionTimeRange']);
  assert.deepEqual(codes(draft({ questionTimeSec: '121' })), ['questionTimeSec:questionTimeRange']);
  assert.deepEqual(codes(draft({ questionTimeSec: '12.5' })), ['questionTimeSec:questionTimeRange']);
  assert.deepEqual(codes(draft({ questionTimeSec: '' })), ['questionTimeSec:questionTimeRange']);
  assert.deepEqual(codes(draft({ questionTimeSec: ' 120 ', readingTimeSec: '0' })), []);
  assert.deepEqual(codes(draft({ readingTimeSec: '31' })), ['readingTimeSec:readingTimeRange']);
});

test('tags and chosen questions must not be empty; at most 200 questions', () => {
  assert.deepEqual(codes(draft({ mode: 'tags' })), ['tags:tagsRequired']);
  assert.deepEqual(codes(draft({ mode: 'tags', tags: ['lịch sử'] })), []);
  assert.deepEqual(codes(draft({ mode: 'ids' })), ['ids:idsRequired']);
  const many = Array.from({ length: 201 }, (_, i) => i + 1);
  assert.deepEqual(codes(draft({ mode: 'ids', ids: many })), ['ids:tooManyQuestions']);
  // Tags picked before switching to "all" do not matter.
  assert.deepEqual(codes(draft({ mode: 'all', tags: [] })), []);
});

test('team mode needs 2-200 different units', () => {
  assert.deepEqual(codes(draft({ teamMode: true, unitsText: 'Đội 1' })), ['units:unitsTooFew']);
  assert.deepEqual(codes(draft({ teamMode: true, unitsText: 'Đội 1\n\n  Đội 2  \n' })), []);
  assert.deepEqual(codes(draft({ teamMode: true, unitsText: 'Đội 1\nđội 1\nĐội 2' })), [
    'units:unitsRepeated',
  ]);
  const lots = Array.from({ length: 201 }, (_, i) => `Đơn vị ${i}`).join('\n');
  assert.deepEqual(codes(draft({ teamMode: true, unitsText: lots })), ['units:unitsTooMany']);
  // Units typed while team mode is off are not checked.
  assert.deepEqual(codes(draft({ teamMode: false, unitsText: 'x' })), []);
});

test('units: trimmed, NFC, empty lines and repeats dropped; repeats named', () => {
  assert.deepEqual(parseUnits(' Xã A \r\n\nxã a\nXã  B\nHoa\u0300ng Mai'), ['Xã A', 'Xã B', 'Hoàng Mai']);
  assert.deepEqual(repeatedUnits('A\na\nB\nB\nC'), ['A', 'B']);
});

test('the body follows the contract', () => {
  assert.deepEqual(liveGameBody(draft()), {
    bankId: 3,
    questions: { mode: 'all' },
    questionTimeSec: 20,
    readingTimeSec: 5,
    shuffleOptions: false,
    streakBonus: false,
    teamMode: false,
  });
  assert.deepEqual(
    liveGameBody(
      draft({
        title: '  Rung chuông vàng  ',
        mode: 'ids',
        ids: [9, 4],
        questionTimeSec: '30',
        readingTimeSec: '0',
        shuffleOptions: true,
        streakBonus: true,
        teamMode: true,
        unitsText: 'Lớp 10A\nLớp 10B',
      }),
    ),
    {
      bankId: 3,
      title: 'Rung chuông vàng',
      questions: { mode: 'ids', ids: [9, 4] },
      questionTimeSec: 30,
      readingTimeSec: 0,
      shuffleOptions: true,
      streakBonus: true,
      teamMode: true,
      units: ['Lớp 10A', 'Lớp 10B'],
    },
  );
  assert.deepEqual(liveGameBody(draft({ mode: 'tags', tags: ['a', 'b'] })).questions, {
    mode: 'tags',
    tags: ['a', 'b'],
  });
  assert.throws(() => liveGameBody(emptyLiveDraft()));
});

test('how many questions the selection holds, when the form can tell', () => {
  const bank = {
    questionCount: 40,
    tags: [
      { tag: 'a', count: 12 },
      { tag: 'b', count: 5 },
    ],
  };
  assert.equal(selectionCount({ mode: 'all', tags: [], ids: [] }, bank), 40);
  assert.equal(selectionCount({ mode: 'tags', tags: ['a'], ids: [] }, bank), 12);
  assert.equal(selectionCount({ mode: 'tags', tags: ['a', 'b'], ids: [] }, bank), null);
  assert.equal(selectionCount({ mode: 'tags', tags: [], ids: [] }, bank), 0);
  assert.equal(selectionCount({ mode: 'ids', tags: [], ids: [1, 2] }, null), 2);
  assert.equal(selectionCount({ mode: 'all', tags: [], ids: [] }, null), null);
});

test('picking keeps the order of picking; moving swaps neighbours', () => {
  let ids = toggleId([], 5, true);
  ids = toggleId(ids, 2, true);
  ids = toggleId(ids, 9, true);
  assert.deepEqual(ids, [5, 2, 9]);
  assert.deepEqual(toggleId(ids, 2, false), [5, 9]);
  assert.deepEqual(toggleId(ids, 5, true), [2, 9, 5], 'picking again moves it last, never twice');
  assert.deepEqual(moveId(ids, 9, -1), [5, 9, 2]);
  assert.deepEqual(moveId(ids, 5, -1), [5, 2, 9]);
  assert.deepEqual(moveId(ids, 9, 1), [5, 2, 9]);
  assert.deepEqual(moveId(ids, 42, 1), [5, 2, 9]);
});

test('units from a contest: the first level with two or more', () => {
  const province = [
    { code: 'HN', name: 'Hà Nội', parentCode: null },
    { code: 'BD', name: 'Ba Đình', parentCode: 'HN' },
    { code: 'HK', name: 'Hoàn Kiếm', parentCode: 'HN' },
    { code: 'PX', name: 'Phúc Xá', parentCode: 'BD' },
  ];
  assert.deepEqual(unitsFromContest(province), ['Ba Đình', 'Hoàn Kiếm']);
  const flat = [
    { code: 'A', name: 'Chi đoàn A', parentCode: null },
    { code: 'B', name: 'Chi đoàn B', parentCode: null },
  ];
  assert.deepEqual(unitsFromContest(flat), ['Chi đoàn A', 'Chi đoàn B']);
  assert.deepEqual(unitsFromContest([{ code: 'X', name: 'X', parentCode: null }]), []);
  assert.deepEqual(unitsFromContest([]), []);
  // A unit whose parent is missing sits at the top; a cycle does not loop.
  const odd = [
    { code: 'A', name: 'A', parentCode: 'B' },
    { code: 'B', name: 'B', parentCode: 'A' },
    { code: 'C', name: 'C', parentCode: 'ZZ' },
  ];
  assert.ok(unitsFromContest(odd).length >= 2);
  const big = Array.from({ length: 250 }, (_, i) => ({
    code: `U${i}`,
    name: `Đơn vị ${i}`,
    parentCode: null,
  }));
  assert.equal(unitsFromContest(big).length, 200);
});

test('search ignores case and accents; join address and spaced PIN', () => {
  assert.ok(matchesSearch('Chủ tịch Hồ Chí Minh', 'ho chi minh'));
  assert.ok(matchesSearch('anything', '  '));
  assert.ok(!matchesSearch('Hà Nội', 'huế'));
  assert.equal(joinUrl('https://quiz.example/', '/play?pin=123456'), 'https://quiz.example/play?pin=123456');
  assert.equal(joinUrl('https://quiz.example', null), null);
  assert.equal(spacedPin('123456'), '123 456');
  assert.equal(spacedPin('12'), '12');
});
