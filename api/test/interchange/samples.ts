// Shared inputs for the interchange tests: Moodle's own fixture files (read in place, never
// copied) and a small bank that exercises every field the platform has.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { ParseResult, QuestionDraft } from '../../src/interchange/types.ts';

export const moodleFixture = (name: string): Buffer =>
  readFileSync(path.resolve(import.meta.dirname, '../../../../shared/fixtures/moodle', name));

export const VI_LABELS = ['Đúng', 'Sai'] as const;

/** A bank with Vietnamese text, formatting, every type, and characters each format must escape. */
export const BANK: QuestionDraft[] = [
  {
    type: 'single',
    stem: 'Thủ đô của **Việt Nam** là thành phố nào?\nChọn _một_ đáp án.',
    options: [
      { text: 'Hà Nội', correct: true },
      { text: 'Huế & Đà Nẵng', correct: false },
      { text: 'Thành phố Hồ Chí Minh', correct: false },
    ],
    points: 1.5,
    tags: ['địa lý', 'lớp 6'],
    difficulty: 2,
    explanation: 'Hà Nội là thủ đô từ năm 1976.',
  },
  {
    type: 'multiple',
    stem: 'Những số nào là số nguyên tố?',
    options: [
      { text: '2', correct: true },
      { text: '4', correct: false },
      { text: '5', correct: true },
      { text: '7', correct: true },
      { text: '-3', correct: false },
    ],
    points: 3,
    tags: ['toán'],
    difficulty: 4,
    explanation: 'Số nguyên tố chỉ chia hết cho 1 và chính nó.',
  },
  {
    type: 'truefalse',
    stem: 'Nước sôi ở 100 °C dưới áp suất 1 atm.',
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['vật lý'],
    difficulty: 1,
  },
  {
    type: 'truefalse',
    stem: 'Mặt Trời quay quanh Trái Đất.',
    options: [
      { text: 'Đúng', correct: false },
      { text: 'Sai', correct: true },
    ],
    points: 2,
    explanation: 'Trái Đất quay quanh Mặt Trời.',
  },
  {
    type: 'single',
    stem: 'Ký tự đặc biệt: {a} ~b =c #d :e \\f <b>không phải HTML</b> &amp; //',
    options: [
      { text: '=SUM(A1)', correct: false },
      { text: '%50% of "them"', correct: true },
      { text: '[html] literal, x < y', correct: false },
      { text: 'a; b, c | d', correct: false },
    ],
    tags: ['ký tự'],
  },
  {
    type: 'single',
    stem: 'Câu hỏi ngắn',
    options: [
      { text: 'Có', correct: false },
      { text: 'Không', correct: true },
    ],
  },
];

/** Questions of a parse, asserting on the way that nothing went wrong. */
export function questionsOf(result: ParseResult): QuestionDraft[] {
  if (result.errors.length > 0) throw new Error(`file errors: ${result.errors.join('; ')}`);
  return result.items.map((item) => {
    if (item.errors.length > 0 || item.skipped || !item.question) {
      throw new Error(
        `item ${item.index} (line ${item.line ?? '-'}, row ${item.row ?? '-'}): ${JSON.stringify(item)}`,
      );
    }
    return item.question;
  });
}
