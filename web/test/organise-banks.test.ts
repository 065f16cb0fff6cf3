import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  altFromFileName,
  changeType,
  correctLetters,
  DEFAULT_FILTERS,
  draftOf,
  emptyDraft,
  exportHref,
  filtersQuery,
  formatShort,
  guessFormat,
  insertImage,
  isValid,
  moveOption,
  newOption,
  optionLetter,
  pageList,
  pageRange,
  parseTags,
  problemList,
  readFilters,
  setCorrect,
  toInput,
  truncate,
  validateQuestion,
  wrapSelection,
  type QuestionDraft,
} from '../src/lib/organise-banks.ts';

const LABELS = ['Đúng', 'Sai'] as const;

const draft = (over: Partial<QuestionDraft> = {}): QuestionDraft => ({
  type: 'single',
  stem: 'Chủ tịch Hồ Chí Minh sinh năm nào?',
  options: [newOption('1890', true), newOption('1911'), newOption('1945')],
  points: 1,
  tags: [],
  difficulty: null,
  explanation: '',
  ...over,
});

const codes = (d: QuestionDraft) => problemList(validateQuestion(d)).map((p) => p.code);

test('a well-formed question has no problems', () => {
  assert.deepEqual(codes(draft()), []);
  assert.ok(isValid(validateQuestion(draft())));
  assert.ok(
    isValid(
      validateQuestion(emptyDraft('truefalse', LABELS) && { ...emptyDraft('truefalse', LABELS), stem: 'x' }),
    ),
  );
});

test('stem: required (spaces do not count) and at most 5000 characters', () => {
  assert.equal(validateQuestion(draft({ stem: '   \n ' })).stem?.code, 'stemRequired');
  assert.equal(validateQuestion(draft({ stem: 'x'.repeat(5001) })).stem?.code, 'stemTooLong');
  assert.equal(validateQuestion(draft({ stem: 'x'.repeat(5000) })).stem, undefined);
});

test('options: between 2 and 10, true/false exactly 2', () => {
  assert.equal(validateQuestion(draft({ options: [newOption('a', true)] })).options?.code, 'tooFewOptions');
  const eleven = Array.from({ length: 11 }, (_, i) => newOption(`o${i}`, i === 0));
  assert.equal(validateQuestion(draft({ options: eleven })).options?.code, 'tooManyOptions');
  const ten = eleven.slice(0, 10);
  assert.equal(validateQuestion(draft({ options: ten })).options, undefined);
  assert.equal(
    validateQuestion(
      draft({ type: 'truefalse', options: [newOption('a', true), newOption('b'), newOption('c')] }),
    ).options?.code,
    'trueFalseTwo',
  );
});

test('right answers: exactly one for single and true/false, at least one for multiple', () => {
  const none = [newOption('a'), newOption('b')];
  const two = [newOption('a', true), newOption('b', true)];
  assert.equal(validateQuestion(draft({ options: none })).options?.code, 'chooseOne');
  assert.equal(validateQuestion(draft({ options: two })).options?.code, 'onlyOne');
  assert.equal(validateQuestion(draft({ type: 'truefalse', options: two })).options?.code, 'onlyOne');
  assert.equal(
    validateQuestion(draft({ type: 'multiple', options: none })).options?.code,
    'chooseAtLeastOne',
  );
  assert.equal(validateQuestion(draft({ type: 'multiple', options: two })).options, undefined);
});

test('option texts: required, at most 1000, no two alike (after trimming and NFC)', () => {
  const p = validateQuestion(
    draft({
      options: [
        newOption('Hà Nội', true),
        newOption(' Ha\u0300 Nội '), // the same text, decomposed and padded
        newOption(''),
        newOption('y'.repeat(1001)),
      ],
    }),
  );
  assert.equal(p.optionText[0], undefined);
  assert.deepEqual(p.optionText[1], { code: 'optionDuplicate', params: { letter: 'A' } });
  assert.equal(p.optionText[2]?.code, 'optionRequired');
  assert.equal(p.optionText[3]?.code, 'optionTooLong');
});

test('points above 0 and at most 1000; tags; difficulty; explanation', () => {
  for (const points of [0, -1, 1001, null, Number.NaN])
    assert.equal(validateQuestion(draft({ points })).points?.code, 'pointsInvalid', String(points));
  assert.equal(validateQuestion(draft({ points: 0.5 })).points, undefined);
  assert.equal(validateQuestion(draft({ points: 1000 })).points, undefined);
  const tags = Array.from({ length: 21 }, (_, i) => `t${i}`);
  assert.equal(validateQuestion(draft({ tags })).tags?.code, 'tooManyTags');
  assert.equal(validateQuestion(draft({ tags: ['z'.repeat(61)] })).tags?.code, 'tagTooLong');
  assert.equal(validateQuestion(draft({ difficulty: 6 })).difficulty?.code, 'difficultyInvalid');
  assert.equal(
    validateQuestion(draft({ explanation: 'e'.repeat(5001) })).explanation?.code,
    'explanationTooLong',
  );
});

test('toInput trims and leaves out empty optional fields', () => {
  assert.deepEqual(toInput(draft({ stem: '  Câu hỏi  ', tags: [' a ', 'a', ''], explanation: '  ' })), {
    type: 'single',
    stem: 'Câu hỏi',
    options: [
      { text: '1890', correct: true },
      { text: '1911', correct: false },
      { text: '1945', correct: false },
    ],
    points: 1,
    tags: ['a'],
  });
  assert.deepEqual(toInput(draft({ difficulty: 3, explanation: 'Vì…' })).difficulty, 3);
  const back = draftOf({ ...toInput(draft({ difficulty: 2 })), explanation: null });
  assert.equal(back.difficulty, 2);
  assert.equal(back.explanation, '');
});

test('changing the type: true/false gets the labels and gives the old options back', () => {
  const start = draft({
    type: 'multiple',
    options: [newOption('a', true), newOption('b', true), newOption('c')],
  });
  const tf = changeType(start, 'truefalse', LABELS, null);
  assert.deepEqual(
    tf.draft.options.map((o) => [o.text, o.correct]),
    [
      ['Đúng', true],
      ['Sai', false],
    ],
  );
  const back = changeType(tf.draft, 'multiple', LABELS, tf.stash);
  assert.deepEqual(
    back.draft.options.map((o) => o.text),
    ['a', 'b', 'c'],
  );
  assert.equal(back.stash, null);
  const single = changeType(start, 'single', LABELS, null);
  assert.deepEqual(
    single.draft.options.map((o) => o.correct),
    [true, false, false],
  );
  const secondRight = changeType(
    draft({ options: [newOption('x'), newOption('y', true)] }),
    'truefalse',
    LABELS,
    null,
  );
  assert.deepEqual(
    secondRight.draft.options.map((o) => o.correct),
    [false, true],
  );
});

test('setCorrect: radio behaviour for single, checkbox for multiple; moveOption', () => {
  const d = draft();
  assert.deepEqual(
    setCorrect(d, 2, true).map((o) => o.correct),
    [false, false, true],
  );
  assert.deepEqual(
    setCorrect({ ...d, type: 'multiple' }, 2, true).map((o) => o.correct),
    [true, false, true],
  );
  assert.deepEqual(moveOption(['a', 'b', 'c'], 0, 1), ['b', 'a', 'c']);
  assert.deepEqual(moveOption(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(moveOption(['a', 'b'], 0, -1), ['a', 'b']);
  assert.deepEqual(moveOption(['a', 'b'], 1, 1), ['a', 'b']);
});

test('letters', () => {
  assert.equal(optionLetter(0), 'A');
  assert.equal(optionLetter(9), 'J');
  assert.equal(correctLetters([{ correct: true }, { correct: false }, { correct: true }]), 'A, C');
  assert.equal(correctLetters([{ correct: false }]), '');
});

test('tags from a comma-separated input', () => {
  assert.deepEqual(parseTags(' lịch sử, chuyen-doi-so;; lịch sử ,'), ['lịch sử', 'chuyen-doi-so']);
  assert.deepEqual(parseTags(''), []);
});

test('format guessed from the file name, .txt from its content', () => {
  assert.equal(guessFormat('cau-hoi.CSV'), 'csv');
  assert.equal(guessFormat('mau.xlsx'), 'xlsx');
  assert.equal(guessFormat('q.gift'), 'gift');
  assert.equal(guessFormat('q.aiken'), 'aiken');
  assert.equal(guessFormat('moodle-export.xml'), 'moodle-xml');
  assert.equal(guessFormat('q.txt', 'Question?\nA) one\nB) two\nANSWER: B\n'), 'aiken');
  assert.equal(guessFormat('q.txt', '::Q1:: 1+1? {=2 ~3}'), 'gift');
  assert.equal(guessFormat('q.txt', 'plain words'), null);
  assert.equal(guessFormat('q.xls'), null);
  assert.equal(guessFormat('noextension'), null);
});

test('wrapSelection wraps, keeps edge spaces outside and toggles off', () => {
  const text = 'Ngày Quốc khánh là ngày nào?';
  const start = text.indexOf('Quốc');
  const end = start + 'Quốc khánh '.length; // trailing space selected
  const bold = wrapSelection(text, start, end, '**');
  assert.equal(bold.text, 'Ngày **Quốc khánh** là ngày nào?');
  assert.equal(bold.text.slice(bold.start, bold.end), 'Quốc khánh');
  const off = wrapSelection(bold.text, bold.start, bold.end, '**');
  assert.equal(off.text, text);
  assert.equal(off.text.slice(off.start, off.end), 'Quốc khánh');
  // Selecting the markers too also toggles off.
  const withMarkers = wrapSelection(bold.text, bold.start - 2, bold.end + 2, '**');
  assert.equal(withMarkers.text, text);
});

test('wrapSelection: bold and italic combine and come apart', () => {
  const bold = wrapSelection('a word b', 2, 6, '**');
  const both = wrapSelection(bold.text, bold.start, bold.end, '*');
  assert.equal(both.text, 'a ***word*** b');
  const italicOff = wrapSelection(both.text, both.start, both.end, '*');
  assert.equal(italicOff.text, 'a **word** b');
  const italic = wrapSelection('a word b', 2, 6, '*');
  assert.equal(italic.text, 'a *word* b');
  // Bold on an italic word adds bold rather than removing the italic.
  assert.equal(wrapSelection(italic.text, italic.start, italic.end, '**').text, 'a ***word*** b');
  // Italic on a bold word adds italic rather than turning it into italic.
  assert.equal(wrapSelection('a **word** b', 4, 8, '*').text, 'a ***word*** b');
});

test('wrapSelection with an empty selection inserts the pair, cursor inside', () => {
  const e = wrapSelection('ab', 1, 1, '**');
  assert.deepEqual(e, { text: 'a****b', start: 3, end: 3 });
  const spaces = wrapSelection('a   b', 1, 4, '*');
  assert.equal(spaces.text, 'a**   b');
});

test('insertImage puts the markup on its own line and selects the alt text', () => {
  const url = `/api/images/${'a'.repeat(64)}.png`;
  const e = insertImage('Xem ảnh sau:rồi trả lời', 12, 12, url, 'Bản đồ');
  assert.equal(e.text, `Xem ảnh sau:\n![Bản đồ](${url})\nrồi trả lời`);
  assert.equal(e.text.slice(e.start, e.end), 'Bản đồ');
  const empty = insertImage('', 0, 0, url, 'x]y');
  assert.equal(empty.text, `![x y](${url})`);
  assert.equal(altFromFileName('ban-do_1945.PNG'), 'ban do 1945');
});

test('filters round-trip through the URL query, bad values fall back', () => {
  assert.equal(filtersQuery(DEFAULT_FILTERS), '');
  const f = {
    ...DEFAULT_FILTERS,
    q: 'Bác Hồ',
    type: 'multiple' as const,
    tag: 'lịch sử',
    difficulty: 3,
    page: 4,
  };
  const q = filtersQuery(f);
  assert.deepEqual(readFilters(new URLSearchParams(q)), f);
  assert.deepEqual(
    readFilters(new URLSearchParams('type=essay&difficulty=9&status=gone&sort=random&page=-2')),
    DEFAULT_FILTERS,
  );
  assert.deepEqual(readFilters(new URLSearchParams('status=retired&sort=stem')), {
    ...DEFAULT_FILTERS,
    status: 'retired',
    sort: 'stem',
  });
});

test('export links carry the filters, or the selected ids', () => {
  const f = { ...DEFAULT_FILTERS, tag: 'a b', difficulty: 2, page: 3 };
  assert.equal(exportHref(7, 'csv', f), '/api/banks/7/export?format=csv&status=active&tag=a+b&difficulty=2');
  assert.equal(
    exportHref(7, 'moodle-xml', null, [3, 1, 2]),
    '/api/banks/7/export?format=moodle-xml&ids=3%2C1%2C2',
  );
  assert.equal(
    exportHref(7, 'gift', { ...f, status: 'retired' }, [5]),
    '/api/banks/7/export?format=gift&ids=5&status=retired',
  );
});

test('page numbers and ranges', () => {
  assert.deepEqual(pageList(1, 1), [1]);
  assert.deepEqual(pageList(1, 5), [1, 2, 3, 4, 5]);
  assert.deepEqual(pageList(10, 20), [1, null, 8, 9, 10, 11, 12, null, 20]);
  assert.deepEqual(pageList(4, 20), [1, 2, 3, 4, 5, 6, null, 20]);
  assert.deepEqual(pageRange(2, 120), { from: 51, to: 100 });
  assert.deepEqual(pageRange(3, 120), { from: 101, to: 120 });
  assert.deepEqual(pageRange(1, 0), { from: 0, to: 0 });
});

test('truncate cuts on a word boundary', () => {
  assert.equal(truncate('short', 10), 'short');
  assert.equal(truncate('một hai ba bốn năm sáu', 12), 'một hai ba…');
  assert.equal(truncate('a\n\nb', 10), 'a b');
});

test('formatShort: day/month/year hours:minutes in Vietnam time', () => {
  assert.equal(formatShort('2026-11-27T00:27:20.889Z'), '27/11/2026 07:27');
  assert.equal(formatShort('2026-12-31T17:00:00.000Z'), '01/01/2027 00:00');
  assert.equal(formatShort('nonsense'), 'nonsense');
});
