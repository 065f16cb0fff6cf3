import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDaysToWall,
  buildUnitTree,
  checklistKey,
  checklistTarget,
  drawBody,
  drawVerdict,
  fieldKeyFromLabel,
  formatOffset,
  isValidSlug,
  mergeUnits,
  nextGroupKey,
  niceScale,
  parseCsv,
  parseUnitsCsv,
  resolveWallTime,
  slugify,
  splitSeconds,
  subtreeCodes,
  unitProblems,
  utcToZonedWallTime,
  zonedWallTimeToUtc,
  zoneOffsetMinutes,
  changedParts,
  contestBody,
  draftFromContest,
  draftProblems,
  emptyContestDraft,
  registrationFieldsOf,
  newRoundDraft,
  roundBody,
  roundDraftFrom,
  roundProblems,
  keepUnchanged,
  baselineOf,
  type UnitDraft,
} from '../src/lib/organise-contests.ts';

test('slugify strips Vietnamese diacritics, lowercases and hyphenates', () => {
  assert.equal(
    slugify('Tìm hiểu về học tập và làm theo tư tưởng Hồ Chí Minh 2026'),
    'tim-hieu-ve-hoc-tap-va-lam-theo-tu-tuong-ho-chi-minh-2026',
  );
  assert.equal(slugify('Đường lên đỉnh Olympia'), 'duong-len-dinh-olympia');
  assert.equal(slugify('  Cuộc thi “Ánh sáng” — Đợt 1!  '), 'cuoc-thi-anh-sang-dot-1');
  assert.equal(slugify('Ưu đãi ỨNG DỤNG Ỷ Ở'), 'uu-dai-ung-dung-y-o');
  assert.equal(slugify('***'), '');
});

test('slugify keeps slugs within 80 characters, cut at a word', () => {
  const slug = slugify(
    'Cuộc thi trực tuyến tìm hiểu về học tập và làm theo tư tưởng đạo đức phong cách Hồ Chí Minh năm 2026',
  );
  assert.ok(slug.length <= 80, slug);
  assert.ok(isValidSlug(slug), slug);
  assert.ok(!slug.endsWith('-'));
  assert.ok(
    'cuoc-thi-truc-tuyen-tim-hieu-ve-hoc-tap-va-lam-theo-tu-tuong-dao-duc-phong-cach-ho'.startsWith(slug),
  );
});

test('isValidSlug follows the API pattern', () => {
  assert.ok(isValidSlug('abc-2026'));
  assert.ok(!isValidSlug('a'));
  assert.ok(!isValidSlug('Abc'));
  assert.ok(!isValidSlug('a--b'));
  assert.ok(!isValidSlug('-ab'));
});

test('field keys come from labels, start with a letter and stay unique', () => {
  assert.equal(fieldKeyFromLabel('Trường học / School'), 'truongHocSchool');
  assert.equal(fieldKeyFromLabel('Đơn vị công tác'), 'donViCongTac');
  assert.equal(fieldKeyFromLabel('2nd phone'), 'f2ndPhone');
  assert.equal(fieldKeyFromLabel('!!!'), 'field');
  assert.equal(fieldKeyFromLabel('Lớp', ['lop']), 'lop2');
  assert.equal(fieldKeyFromLabel('Lớp', ['lop', 'lop2']), 'lop3');
  const long = fieldKeyFromLabel('x'.repeat(100), []);
  assert.match(long, /^[A-Za-z][A-Za-z0-9_]{0,39}$/);
});

test('group keys are suggested in order', () => {
  assert.equal(nextGroupKey([]), 'A');
  assert.equal(nextGroupKey(['A', 'B']), 'C');
  assert.equal(nextGroupKey(['B']), 'A');
});

test('offsets are formatted like the zone labels', () => {
  assert.equal(formatOffset(420), 'GMT+7');
  assert.equal(formatOffset(330), 'GMT+5:30');
  assert.equal(formatOffset(-300), 'GMT-5');
  assert.equal(formatOffset(0), 'GMT');
});

test('Asia/Ho_Chi_Minh wall time converts both ways (GMT+7, no summer time)', () => {
  assert.equal(zoneOffsetMinutes('Asia/Ho_Chi_Minh', Date.parse('2026-07-01T00:00:00Z')), 420);
  assert.equal(zonedWallTimeToUtc('2026-12-01T08:00', 'Asia/Ho_Chi_Minh'), '2026-12-01T01:00:00.000Z');
  assert.equal(zonedWallTimeToUtc('2026-12-01T00:30', 'Asia/Ho_Chi_Minh'), '2026-11-30T17:30:00.000Z');
  assert.equal(utcToZonedWallTime('2026-11-30T17:30:00.000Z', 'Asia/Ho_Chi_Minh'), '2026-12-01T00:30');
  assert.equal(utcToZonedWallTime('2026-12-31T23:59:00Z', 'Asia/Ho_Chi_Minh'), '2027-01-01T06:59');
});

test('Europe/Paris across the spring change: the offset moves from +1 to +2', () => {
  // Clocks go from 02:00 to 03:00 on Sunday 28 March 2027.
  assert.equal(zonedWallTimeToUtc('2027-03-27T12:00', 'Europe/Paris'), '2027-03-27T11:00:00.000Z');
  assert.equal(zonedWallTimeToUtc('2027-03-28T12:00', 'Europe/Paris'), '2027-03-28T10:00:00.000Z');
  assert.equal(zonedWallTimeToUtc('2027-03-28T01:59', 'Europe/Paris'), '2027-03-28T00:59:00.000Z');
  assert.equal(zonedWallTimeToUtc('2027-03-28T03:00', 'Europe/Paris'), '2027-03-28T01:00:00.000Z');
  // 02:30 never happens: moved forward by the hour, to 03:30 summer time.
  assert.deepEqual(resolveWallTime('2027-03-28T02:30', 'Europe/Paris'), {
    iso: '2027-03-28T01:30:00.000Z',
    kind: 'gap',
  });
  assert.equal(utcToZonedWallTime('2027-03-28T01:30:00.000Z', 'Europe/Paris'), '2027-03-28T03:30');
  assert.equal(utcToZonedWallTime('2027-03-28T00:59:00.000Z', 'Europe/Paris'), '2027-03-28T01:59');
});

test('Europe/Paris across the autumn change: the repeated hour takes the first one', () => {
  // Clocks go from 03:00 back to 02:00 on Sunday 31 October 2027.
  assert.deepEqual(resolveWallTime('2027-10-31T02:30', 'Europe/Paris'), {
    iso: '2027-10-31T00:30:00.000Z',
    kind: 'ambiguous',
  });
  assert.equal(zonedWallTimeToUtc('2027-10-31T03:30', 'Europe/Paris'), '2027-10-31T02:30:00.000Z');
  assert.equal(zonedWallTimeToUtc('2027-10-30T20:00', 'Europe/Paris'), '2027-10-30T18:00:00.000Z');
  assert.equal(utcToZonedWallTime('2027-10-31T00:30:00Z', 'Europe/Paris'), '2027-10-31T02:30');
  assert.equal(utcToZonedWallTime('2027-10-31T01:30:00Z', 'Europe/Paris'), '2027-10-31T02:30');
  assert.equal(zoneOffsetMinutes('Europe/Paris', Date.parse('2027-10-31T00:30:00Z')), 120);
  assert.equal(zoneOffsetMinutes('Europe/Paris', Date.parse('2027-10-31T01:30:00Z')), 60);
});

test('wall times round-trip every half hour through a year in Paris and Ho Chi Minh City', () => {
  for (const zone of ['Europe/Paris', 'Asia/Ho_Chi_Minh', 'America/New_York']) {
    for (let t = Date.parse('2027-01-01T00:00:00Z'); t < Date.parse('2028-01-01T00:00:00Z'); t += 1_800_000) {
      const wall = utcToZonedWallTime(new Date(t).toISOString(), zone);
      const back = resolveWallTime(wall, zone)!;
      // The second pass of a repeated hour resolves to the first: same wall time, an hour earlier.
      if (back.kind === 'ambiguous') assert.equal(utcToZonedWallTime(back.iso, zone), wall);
      else assert.equal(back.iso, new Date(t).toISOString(), `${zone} ${wall}`);
    }
  }
});

test('bad wall times are refused', () => {
  assert.equal(zonedWallTimeToUtc('', 'Europe/Paris'), null);
  assert.equal(zonedWallTimeToUtc('2026-02-30T10:00', 'Europe/Paris'), null);
  assert.equal(zonedWallTimeToUtc('2026-12-01 25:00', 'Europe/Paris'), null);
  assert.equal(utcToZonedWallTime('nope', 'Europe/Paris'), '');
});

test('adding days keeps the wall clock reading', () => {
  assert.equal(addDaysToWall('2027-03-27T08:00', 1), '2027-03-28T08:00');
  assert.equal(addDaysToWall('2026-12-31T23:59', 7), '2027-01-07T23:59');
});

const u = (code: string, parentCode: string | null = null, headcount: number | null = null): UnitDraft => ({
  code,
  name: `Unit ${code}`,
  parentCode,
  headcount,
});

test('the units tree follows parent codes depth first, children in list order', () => {
  const rows = buildUnitTree([
    u('NA'),
    u('HN'),
    u('NA-1', 'NA'),
    u('HN-1', 'HN'),
    u('NA-1-a', 'NA-1'),
    u('NA-2', 'NA'),
  ]);
  assert.deepEqual(
    rows.map((r) => `${'  '.repeat(r.depth)}${r.unit.code}:${r.children}`),
    ['NA:2', '  NA-1:1', '    NA-1-a:0', '  NA-2:0', 'HN:1', '  HN-1:0'],
  );
  assert.deepEqual(
    rows.map((r) => r.index),
    [0, 2, 4, 5, 1, 3],
  );
});

test('units with a missing parent or in a cycle are listed at the top, flagged', () => {
  const rows = buildUnitTree([u('A'), u('B', 'ZZ'), u('C', 'D'), u('D', 'C')]);
  assert.equal(rows.length, 4);
  assert.deepEqual(
    rows.filter((r) => r.orphan).map((r) => r.unit.code),
    ['B', 'C'],
  );
  assert.deepEqual(
    unitProblems([u('A'), u('B', 'ZZ'), u('C', 'D'), u('D', 'C')]).map((p) => `${p.kind}:${p.code}`),
    ['parent:B', 'cycle:C', 'cycle:D'],
  );
});

test('unit problems: bad codes, empty names, duplicates, headcounts', () => {
  const problems = unitProblems([
    u('ok'),
    { ...u('bad code') },
    { ...u('x'), name: ' ' },
    u('ok'),
    u('h', null, -1),
  ]);
  assert.deepEqual(
    problems.map((p) => p.kind),
    ['code', 'name', 'duplicate', 'headcount'],
  );
});

test('a subtree is the unit and everything under it', () => {
  const units = [u('A'), u('A1', 'A'), u('A1a', 'A1'), u('B'), u('B1', 'B')];
  assert.deepEqual([...subtreeCodes(units, 'A')].sort(), ['A', 'A1', 'A1a']);
  assert.deepEqual([...subtreeCodes(units, 'B1')], ['B1']);
});

test('merging units updates the same code and appends new ones', () => {
  const res = mergeUnits([u('A'), u('B')], [{ ...u('B'), name: 'Renamed' }, u('C', 'A')]);
  assert.equal(res.added, 1);
  assert.equal(res.updated, 1);
  assert.deepEqual(
    res.units.map((x) => `${x.code}:${x.name}`),
    ['A:Unit A', 'B:Renamed', 'C:Unit C'],
  );
});

test('CSV records: quotes, doubled quotes, CRLF, a BOM and row numbers', () => {
  const rows = parseCsv('\uFEFFcode,name\r\nA,"Tỉnh ""Nghệ"" An"\r\n\r\nB,"two\nlines"\nC,x');
  assert.deepEqual(rows, [
    { row: 1, cells: ['code', 'name'] },
    { row: 2, cells: ['A', 'Tỉnh "Nghệ" An'] },
    { row: 4, cells: ['B', 'two\nlines'] },
    { row: 6, cells: ['C', 'x'] },
  ]);
});

test('the units CSV is read with the errors on their rows', () => {
  const csv = [
    'code,name,parent_code,headcount',
    'NA,Tỉnh Nghệ An,,',
    'NA-TD,Tỉnh đoàn Nghệ An,NA,120',
    'bad code,Xã,NA,',
    'NA-TD,Again,NA,',
    'NA-X,,NA,',
    'NA-Y,Y,NOPE,',
    'NA-Z,Z,NA,many',
    'NA-W,"1,500 people",NA,"1,500"',
  ].join('\n');
  const res = parseUnitsCsv(csv);
  assert.deepEqual(
    res.units.map((x) => [x.code, x.parentCode, x.headcount]),
    [
      ['NA', null, null],
      ['NA-TD', 'NA', 120],
      ['NA-Y', 'NOPE', null],
      ['NA-W', 'NA', 1500],
    ],
  );
  assert.deepEqual(
    res.errors.map((e) => `${e.row}:${e.code}`),
    ['4:CODE', '5:DUPLICATE', '6:NAME', '7:PARENT', '8:HEADCOUNT'],
  );
});

test('the units CSV: semicolons, parents already in the form, missing header', () => {
  const res = parseUnitsCsv('code;name;parent_code;headcount\nX1;Xã 1;HUYEN;10', new Set(['HUYEN']));
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.units, [{ code: 'X1', name: 'Xã 1', parentCode: 'HUYEN', headcount: 10 }]);
  assert.deepEqual(parseUnitsCsv('ma,ten\nA,B').errors, [{ row: 1, code: 'HEADER' }]);
  assert.deepEqual(parseUnitsCsv('').errors, [{ row: 1, code: 'EMPTY' }]);
});

test('checklist codes map to dictionary keys and to where they are fixed', () => {
  assert.equal(checklistKey('NO_ROUNDS'), 'check.NO_ROUNDS');
  assert.equal(checklistKey('ROUND_IN_PAST'), 'check.ROUND_IN_PAST');
  assert.equal(checklistKey('SOMETHING_NEW'), null);
  assert.equal(checklistTarget({ code: 'DRAW_UNSATISFIABLE', roundId: 7 }), '/organise/rounds/7');
  assert.equal(checklistTarget({ code: 'NO_UNITS', roundId: null }), '#units');
  assert.equal(checklistTarget({ code: 'NO_GROUP_FIELD' }), '#fields');
  assert.equal(checklistTarget({ code: 'NO_RULES' }), '#general');
  assert.equal(checklistTarget({ code: 'NO_ROUNDS' }), '#rounds');
});

test('a draw may be saved only when it adds up and the banks can serve it', () => {
  const rules = [
    { bankId: 1, tags: ['a'], difficulty: [], count: 8 },
    { bankId: 1, tags: [], difficulty: [3, 1], count: 12 },
  ];
  const ok = {
    rules: [
      { matching: 30, count: 8, ok: true },
      { matching: 40, count: 12, ok: true },
    ],
    total: 20,
    satisfiable: true,
    message: '',
  };
  assert.deepEqual(drawVerdict(rules, 20, ok), { ok: true, sum: 20 });
  assert.deepEqual(drawVerdict(rules, 25, ok), { ok: false, sum: 20, reason: 'sum' });
  assert.deepEqual(drawVerdict(rules, 20, null), { ok: false, sum: 20, reason: 'pending' });
  assert.deepEqual(drawVerdict(rules, 20, { ...ok, satisfiable: false }), {
    ok: false,
    sum: 20,
    reason: 'unsatisfiable',
  });
  assert.deepEqual(drawVerdict([], 20, ok), { ok: false, sum: 0, reason: 'noRules' });
  assert.deepEqual(drawVerdict([{ ...rules[0]!, bankId: null }], 8, ok), {
    ok: false,
    sum: 8,
    reason: 'noBank',
  });
  assert.deepEqual(drawVerdict([{ ...rules[0]!, count: 0 }], 0, ok), {
    ok: false,
    sum: 0,
    reason: 'badCount',
  });
  assert.deepEqual(drawBody(rules), [
    { bankId: 1, tags: ['a'], count: 8 },
    { bankId: 1, difficulty: [1, 3], count: 12 },
  ]);
});

test('durations split into minutes and seconds; chart scales are round', () => {
  assert.deepEqual(splitSeconds(900), { minutes: 15, seconds: 0 });
  assert.deepEqual(splitSeconds(95), { minutes: 1, seconds: 35 });
  assert.deepEqual(niceScale(0), { top: 1, ticks: [0, 1] });
  assert.deepEqual(niceScale(7), { top: 8, ticks: [0, 2, 4, 6, 8] });
  assert.deepEqual(niceScale(1234), { top: 1500, ticks: [0, 500, 1000, 1500] });
});

test('a new contest asks for the full name only; groups bring the group field', () => {
  const d = emptyContestDraft();
  assert.deepEqual(registrationFieldsOf(d), [
    { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
  ]);
  d.groups.push({ uid: 1, key: 'A', name: 'Bảng A' }, { uid: 2, key: 'B', name: 'Bảng B' });
  d.standard.find((f) => f.key === 'phone')!.enabled = true;
  d.custom.push({
    uid: 3,
    key: 'school',
    keyEdited: false,
    label: 'Trường',
    type: 'select',
    required: false,
    options: 'THPT A\n\n THPT B ',
  });
  assert.deepEqual(registrationFieldsOf(d), [
    { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
    { key: 'phone', label: 'Số điện thoại / Phone', type: 'phone', required: false },
    { key: 'group', label: 'Bảng thi / Division', type: 'select', required: true, options: ['A', 'B'] },
    { key: 'school', label: 'Trường', type: 'select', required: false, options: ['THPT A', 'THPT B'] },
  ]);
});

test('an existing contest round-trips through the form unchanged', () => {
  const contest = {
    slug: 'demo',
    title: 'Demo',
    description: 'd',
    rulesText: 'r',
    timeZone: 'Asia/Ho_Chi_Minh',
    registrationFields: [
      { key: 'fullName', label: 'Họ và tên', type: 'text' as const, required: true },
      { key: 'dateOfBirth', label: 'Ngày sinh', type: 'date' as const, required: true },
      { key: 'unit', label: 'Đơn vị', type: 'unit' as const, required: true },
      { key: 'group', label: 'Bảng', type: 'select' as const, required: true, options: ['A'] },
      { key: 'className', label: 'Lớp', type: 'text' as const, required: false },
    ],
    groups: [{ key: 'A', name: 'Bảng A' }],
    units: [{ code: 'NA', name: 'Nghệ An', parentCode: null, headcount: null }],
  };
  const body = contestBody(draftFromContest(contest));
  assert.deepEqual(body.registrationFields, contest.registrationFields);
  assert.deepEqual(changedParts(body, body), {});
  const d = draftFromContest(contest);
  d.title = 'Demo 2';
  d.units.push({ code: 'HN', name: 'Hà Nội', parentCode: null, headcount: 5 });
  assert.deepEqual(Object.keys(changedParts(contestBody(d), body)), ['title', 'units']);
});

test('form problems are found where they are', () => {
  const d = emptyContestDraft();
  d.slug = 'Bad Slug';
  d.timeZone = 'Mars/Olympus';
  d.custom.push(
    { uid: 10, key: 'phone', keyEdited: true, label: 'Phone 2', type: 'text', required: false, options: '' },
    { uid: 11, key: '9x', keyEdited: true, label: '', type: 'select', required: false, options: '' },
    { uid: 12, key: 'extra', keyEdited: true, label: 'A', type: 'text', required: false, options: '' },
    { uid: 13, key: 'extra', keyEdited: true, label: 'B', type: 'text', required: false, options: '' },
  );
  d.groups.push(
    { uid: 20, key: 'A B', name: '' },
    { uid: 21, key: 'C', name: 'x' },
    { uid: 22, key: 'C', name: 'y' },
  );
  d.units.push({ code: 'X', name: 'X', parentCode: 'NOPE', headcount: null });
  assert.deepEqual(draftProblems(d), {
    title: 'required',
    slug: 'slug',
    timeZone: 'zone',
    'custom.10.key': 'keyReserved',
    'custom.11.label': 'required',
    'custom.11.key': 'keyPattern',
    'custom.11.options': 'options',
    'custom.13.key': 'keyTaken',
    'group.20.key': 'groupKey',
    'group.20.name': 'required',
    'group.22.key': 'groupKeyTaken',
    units: 'units',
  });
});

test('a new round follows the last one, or opens tomorrow at 08:00 in the contest zone', () => {
  const now = Date.parse('2026-11-27T20:00:00Z'); // already 28 November 03:00 in Viet Nam
  const fresh = newRoundDraft({ zone: 'Asia/Ho_Chi_Minh', now, bankId: 3 });
  assert.equal(fresh.opensAt, '2026-11-29T08:00');
  assert.equal(fresh.closesAt, '2026-12-06T08:00');
  assert.equal(fresh.rules[0]!.bankId, 3);
  const next = newRoundDraft({ zone: 'Asia/Ho_Chi_Minh', now, lastClosesAt: '2026-12-06T16:59:00.000Z' });
  assert.equal(next.opensAt, '2026-12-06T23:59');
  const past = newRoundDraft({ zone: 'Asia/Ho_Chi_Minh', now, lastClosesAt: '2026-01-01T00:00:00.000Z' });
  assert.equal(past.opensAt, '2026-11-29T08:00');
});

test('a round round-trips through its form, times in the contest zone', () => {
  const round = {
    title: 'Tuần 1',
    opensAt: '2027-03-27T07:00:00.000Z',
    closesAt: '2027-04-03T06:00:00.000Z',
    timeLimitSec: 905,
    questionCount: 20,
    maxAttempts: 2,
    draw: [
      { bankId: 1, tags: ['ho-chi-minh'], count: 8 },
      { bankId: 1, difficulty: [1, 2], count: 12 },
    ],
    prediction: { prompt: 'Bao nhiêu?', kind: 'count' as const },
    showAnswers: 'after_close' as const,
    showLeaderboard: 'immediately' as const,
    shuffleQuestions: true,
    shuffleOptions: false,
    partialCredit: false,
    prizeBands: [{ name: 'Giải Nhất', count: 1 }],
  };
  const d = roundDraftFrom(round, 'Europe/Paris');
  // 08:00 winter time before the change, 08:00 summer time after it.
  assert.equal(d.opensAt, '2027-03-27T08:00');
  assert.equal(d.closesAt, '2027-04-03T08:00');
  assert.equal(d.limitMinutes, 15);
  assert.equal(d.limitSeconds, 5);
  assert.deepEqual(roundBody(d, 'Europe/Paris'), round);
  assert.deepEqual(roundProblems(d, 'Europe/Paris'), {});
});

test('round problems: dates, order, limits, prompt, prizes, and what a started round may change', () => {
  const d = newRoundDraft({ zone: 'Asia/Ho_Chi_Minh', now: Date.parse('2026-11-27T00:00:00Z') });
  d.closesAt = d.opensAt;
  d.limitMinutes = 0;
  d.limitSeconds = 5;
  d.questionCount = 0;
  d.predictionPrompt = ' ';
  d.prizes[0]!.name = '';
  d.rules[0]!.count = 0;
  const problems = roundProblems(d, 'Asia/Ho_Chi_Minh');
  assert.deepEqual(Object.keys(problems).sort(), [
    'closesAt',
    'predictionPrompt',
    `prize.${d.prizes[0]!.uid}.name`,
    'questionCount',
    `rule.${d.rules[0]!.uid}.count`,
    'timeLimit',
    'title',
  ]);
  assert.equal(problems.closesAt, 'order');
  const ok = newRoundDraft({ zone: 'Asia/Ho_Chi_Minh', now: Date.parse('2026-11-27T00:00:00Z') });
  ok.title = 'Tuần 1';
  ok.maxAttempts = 1;
  const started = { closesAt: '2026-12-30T00:00:00.000Z', maxAttempts: 2 };
  assert.deepEqual(roundProblems(ok, 'Asia/Ho_Chi_Minh', started), {
    closesAt: 'closesEarlier',
    maxAttempts: 'attemptsLower',
  });
  ok.opensAt = 'soon';
  assert.equal(roundBody(ok, 'Asia/Ho_Chi_Minh'), null);
});

test('an edited round keeps the stored instants it did not touch, and a started one its draw', () => {
  const stored = {
    title: 'Tuần 1',
    opensAt: '2026-11-26T01:00:30.123Z',
    closesAt: '2026-12-03T01:00:30.123Z',
    timeLimitSec: 900,
    questionCount: 20,
    maxAttempts: 2,
    draw: [{ bankId: 1, tags: [], difficulty: [3, 1], count: 20 }],
    prediction: null,
    showAnswers: 'after_close' as const,
    showLeaderboard: 'immediately' as const,
    shuffleQuestions: true,
    shuffleOptions: true,
    partialCredit: false,
    prizeBands: [],
    attempts: 0,
  };
  const zone = 'Asia/Ho_Chi_Minh';
  const d = roundDraftFrom(stored, zone);
  const body = roundBody(d, zone)!;
  assert.equal(body.opensAt, '2026-11-26T01:00:00.000Z');
  assert.equal(keepUnchanged(body, stored, zone).opensAt, stored.opensAt);
  d.closesAt = '2026-12-04T08:00';
  const moved = keepUnchanged(roundBody(d, zone)!, stored, zone);
  assert.equal(moved.closesAt, '2026-12-04T01:00:00.000Z');
  assert.deepEqual(moved.draw, [{ bankId: 1, difficulty: [1, 3], count: 20 }]);
  assert.deepEqual(keepUnchanged(moved, { ...stored, attempts: 3 }, zone).draw, stored.draw);
});

test('the baseline counts a missing group field as a change to save, not a reordering', () => {
  const contest = {
    slug: 'x',
    title: 'X',
    description: '',
    rulesText: '',
    timeZone: 'Asia/Ho_Chi_Minh',
    registrationFields: [
      { key: 'phone', label: 'Phone', type: 'phone' as const, required: true },
      { key: 'fullName', label: 'Name', type: 'text' as const, required: true },
    ],
    groups: [] as { key: string; name: string }[],
    units: [],
  };
  const reordered = baselineOf(contest);
  assert.deepEqual(changedParts(contestBody(draftFromContest(contest)), reordered), {});
  const withGroups = { ...contest, groups: [{ key: 'A', name: 'Bảng A' }] };
  const base = baselineOf(withGroups);
  assert.deepEqual(Object.keys(changedParts(contestBody(draftFromContest(withGroups)), base)), [
    'registrationFields',
  ]);
});
