// CSV in the template's layout (see table.ts). RFC 4180: quoted cells may hold separators, quotes
// ("") and line breaks; the separator is "," or ";" (or a tab), detected on the header row, since
// Excel in a Vietnamese or European locale writes ";". Exports are UTF-8 with a BOM so that Excel
// opens Vietnamese text correctly, with "," and CRLF.
import { fileError, finishResult, trueFalseLabels } from './draft.ts';
import { guardCell, readHeader, rowToItem, tableRows } from './table.ts';
import type { ExportableQuestion, ParsedItem, ParseOptions, ParseResult } from './types.ts';

export interface CsvRecord {
  /** Line on which the record starts (a quoted cell may span lines). */
  line: number;
  cells: string[];
}

/** The separator used by the first line, outside quotes: the most frequent of , ; and tab. */
export function detectSeparator(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\n') break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [sep, n] of counts) if (n > counts.get(best)!) best = sep;
  return best;
}

/** RFC 4180 records; an unclosed quote is a file-level error (it swallows the rest of the file). */
export function parseCsvRecords(text: string, sep: string): { records: CsvRecord[]; error?: string } {
  const records: CsvRecord[] = [];
  const unquoted = new RegExp(`[${sep === '\t' ? '\\t' : sep}\n]`, 'g');
  let cells: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  // Each turn reads one cell and the separator or line break after it.
  while (i <= text.length) {
    let cell: string;
    if (text[i] === '"') {
      const startLine = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0)
          return {
            records,
            error: `The quoted cell that starts on line ${startLine} is never closed (a " is missing)`,
          };
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
        } else {
          from = quote + 1;
          break;
        }
      }
      line += countNewlines(value);
      // Anything between the closing quote and the separator is kept, as spreadsheets do.
      unquoted.lastIndex = from;
      const end = unquoted.exec(text)?.index ?? text.length;
      cell = value + text.slice(from, end);
      i = end;
    } else {
      unquoted.lastIndex = i;
      const end = unquoted.exec(text)?.index ?? text.length;
      cell = text.slice(i, end);
      i = end;
    }
    cells.push(cell);
    if (i >= text.length) {
      if (cells.length > 1 || cell !== '') records.push({ line: recordLine, cells });
      break;
    }
    if (text[i] === '\n') {
      records.push({ line: recordLine, cells });
      cells = [];
      line++;
      recordLine = line;
    }
    i++;
  }
  return { records };
}

const countNewlines = (s: string) => {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
};

export function parseCsv(text: string, options: ParseOptions = {}): ParseResult {
  const { records, error } = parseCsvRecords(text, detectSeparator(text));
  if (error) return fileError('csv', error);
  const first = records.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
  if (first < 0) return fileError('csv', 'The file is empty');
  const head = readHeader(records[first]!.cells);
  if (!head.header) return { format: 'csv', items: [], errors: head.errors, warnings: head.warnings };
  const labels = trueFalseLabels(options);
  const items: ParsedItem[] = [];
  records.slice(first + 1).forEach((r, k) => {
    const item = rowToItem(r.cells, head.header!, items.length, { row: first + k + 2, line: r.line }, labels);
    if (item) items.push(item);
  });
  return finishResult('csv', items, [], head.warnings);
}

const csvCell = (v: string | number) => {
  const s = typeof v === 'number' ? String(v) : guardCell(v);
  return /[",;\t\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Questions as a CSV file: UTF-8 with BOM, "," separated, CRLF line ends. A cell a spreadsheet
 * would run as a formula (=, +, -, @ at the start, other than a plain number) gets a leading "'",
 * which parseCsv removes again.
 */
export function exportCsv(questions: ExportableQuestion[]): Buffer {
  const { header, rows } = tableRows(questions);
  const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
