// Aiken: single-choice questions as plain text, the way Moodle's qformat_aiken reads them.
//   Question text (one line or more)
//   A) first option          (or "A. first option")
//   B) second option
//   ANSWER: B
// Text is literal (no HTML); blank lines are ignored. Only single choice exists: other types,
// and texts Aiken cannot hold (an option over several lines, a stem line that reads as an option
// or as "ANSWER:"), are reported by exportAiken as not representable. Lines are trimmed, so blank
// lines and indentation inside a stem do not survive; points, tags, difficulty and explanation
// have no place in Aiken.
import { finishItem, finishResult, makeDraft, newItem } from './draft.ts';
import { cleanText } from './text.ts';
import type { ExportableQuestion, ParsedItem, ParseResult } from './types.ts';

const OPTION = /^([A-Z])[.)][ \t]+(.*)$/;
const ANSWER = /^ANSWER\s*:\s*(.*)$/i;

interface Pending {
  item: ParsedItem;
  stem: string[];
  options: { label: string; text: string; line: number }[];
}

export function parseAiken(text: string): ParseResult {
  const items: ParsedItem[] = [];
  let current: Pending | null = null;

  const missingAnswer = (p: Pending) => {
    p.item.errors.push('No "ANSWER: X" line after the options');
    items.push(p.item);
  };

  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    const lineNo = i + 1;
    if (line === '') continue;
    const option = OPTION.exec(line);
    const answer = ANSWER.exec(line);
    if (answer) {
      if (!current) {
        const item = newItem(items.length, { line: lineNo });
        item.errors.push(`Line ${lineNo}: "ANSWER:" without a question before it`);
        items.push(item);
        continue;
      }
      items.push(finishAiken(current, (answer[1] ?? '').trim(), lineNo));
      current = null;
      continue;
    }
    if (option && current && (current.options.length > 0 || current.stem.length > 0)) {
      current.options.push({
        label: option[1]!.toUpperCase(),
        text: cleanText(option[2] ?? ''),
        line: lineNo,
      });
      continue;
    }
    if (option && !current) {
      const item = newItem(items.length, { line: lineNo });
      item.errors.push(`Line ${lineNo}: an option without a question before it`);
      current = {
        item,
        stem: [],
        options: [{ label: option[1]!.toUpperCase(), text: cleanText(option[2] ?? ''), line: lineNo }],
      };
      continue;
    }
    if (current && current.options.length > 0) {
      missingAnswer(current);
      current = null;
    }
    current ??= { item: newItem(items.length, { line: lineNo }), stem: [], options: [] };
    current.stem.push(line);
  }
  if (current) missingAnswer(current);
  return finishResult('aiken', items);
}

function finishAiken(p: Pending, answer: string, lineNo: number): ParsedItem {
  const { item } = p;
  if (item.errors.length > 0) return item;
  const seen = new Set<string>();
  for (const o of p.options) {
    if (seen.has(o.label)) item.errors.push(`Line ${o.line}: option ${o.label} appears twice`);
    seen.add(o.label);
  }
  if (!/^[A-Za-z]$/.test(answer)) {
    item.errors.push(
      answer === ''
        ? `Line ${lineNo}: "ANSWER:" has no letter`
        : `Line ${lineNo}: "ANSWER: ${answer}" must be one option letter (Aiken has exactly one correct answer)`,
    );
  } else if (!seen.has(answer.toUpperCase())) {
    item.errors.push(`Line ${lineNo}: ANSWER ${answer.toUpperCase()} is not one of the options`);
  }
  if (item.errors.length > 0) return item;
  const right = answer.toUpperCase();
  return finishItem(
    item,
    makeDraft({
      type: 'single',
      stem: cleanText(p.stem.join('\n')),
      options: p.options.map((o) => ({ text: o.text, correct: o.label === right })),
    }),
  );
}

/** Why Aiken cannot hold a question, or null when it can. */
function aikenProblem(q: ExportableQuestion): string | null {
  if (q.type !== 'single') return 'Aiken has only single-choice questions';
  if (q.options.filter((o) => o.correct).length !== 1) return 'not exactly one correct option';
  if (q.options.length > 26) return 'more than 26 options';
  const stemLines = q.stem.split('\n').map((l) => l.trim());
  if (stemLines.some((l) => OPTION.test(l) || ANSWER.test(l)))
    return 'a stem line reads as an option or an answer';
  if (q.options.some((o) => /\n/.test(o.text.trim()))) return 'an option over several lines';
  return null;
}

export function exportAiken(questions: ExportableQuestion[]): { text: string; notRepresentable: number[] } {
  const notRepresentable: number[] = [];
  const blocks: string[] = [];
  questions.forEach((q, i) => {
    if (aikenProblem(q) !== null) {
      notRepresentable.push(i);
      return;
    }
    const lines = q.stem
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    q.options.forEach((o, k) => lines.push(`${String.fromCharCode(65 + k)}. ${o.text.trim()}`));
    lines.push(`ANSWER: ${String.fromCharCode(65 + q.options.findIndex((o) => o.correct))}`);
    blocks.push(lines.join('\n'));
  });
  return { text: blocks.length > 0 ? `${blocks.join('\n\n')}\n` : '', notRepresentable };
}
