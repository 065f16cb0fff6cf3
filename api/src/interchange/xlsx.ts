// XLSX in the template's layout (see table.ts), read from the first sheet with exceljs. Bold and
// italic runs of rich-text cells become **bold** and _italic_. The downloadable template has the
// header row, example rows and a bilingual instructions sheet.
import ExcelJS from 'exceljs';
import { fileError, finishResult, tooLarge, trueFalseLabels } from './draft.ts';
import { readHeader, rowToItem, TEMPLATE_COLUMNS, tableRows } from './table.ts';
import {
  MAX_BYTES,
  MAX_QUESTIONS,
  type ExportableQuestion,
  type ParsedItem,
  type ParseOptions,
  type ParseResult,
} from './types.ts';

/** A workbook unpacks to many times its size; refuse what would exhaust memory (a "zip bomb"). */
export const MAX_UNZIPPED_BYTES = 10 * MAX_BYTES;

const SHEET = 'Câu hỏi - Questions';
// Excel forbids "/" in sheet names, hence " - " rather than " / ".
const HELP_SHEET = 'Hướng dẫn - Instructions';

/**
 * Checks the ZIP central directory before unpacking: not a ZIP, damaged, or unpacking to more than
 * MAX_UNZIPPED_BYTES. The sizes are the ones the archive declares.
 */
function zipProblem(b: Uint8Array): string | null {
  if (!(b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04)) {
    return 'This is not an Excel workbook (.xlsx). A CSV file must be uploaded as CSV; an old .xls must be saved as .xlsx first';
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let end = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return 'The workbook is damaged (its ZIP directory is missing)';
  const entries = view.getUint16(end + 10, true);
  let p = view.getUint32(end + 16, true);
  let total = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > b.length || view.getUint32(p, true) !== 0x02014b50)
      return 'The workbook is damaged (bad ZIP directory)';
    const size = view.getUint32(p + 24, true);
    total += size === 0xffffffff ? Number.POSITIVE_INFINITY : size;
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  if (total > MAX_UNZIPPED_BYTES) {
    return `The workbook unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB; split it into smaller files`;
  }
  return null;
}

const marked = (text: string, bold: boolean, italic: boolean) => {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  if (m[2] === '' || (!bold && !italic)) return text;
  const core = italic ? `_${m[2]}_` : m[2]!;
  return `${m[1]}${bold ? `**${core}**` : core}${m[3]}`;
};

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value)
    return value.richText.map((r) => marked(r.text, r.font?.bold === true, r.font?.italic === true)).join('');
  if ('hyperlink' in value) {
    const text: unknown = value.text;
    return typeof text === 'string' ? text : cellText(text as ExcelJS.CellValue);
  }
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result ?? null);
  return '';
}

const rowCells = (row: ExcelJS.Row): string[] =>
  Array.from({ length: row.cellCount }, (_, c) => cellText(row.getCell(c + 1).value));

export async function parseXlsx(bytes: Uint8Array, options: ParseOptions = {}): Promise<ParseResult> {
  const large = tooLarge('xlsx', bytes);
  if (large) return large;
  const problem = zipProblem(bytes);
  if (problem) return fileError('xlsx', problem);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer,
    );
  } catch (err) {
    return fileError(
      'xlsx',
      `The file could not be read as an Excel workbook: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return fileError('xlsx', 'The workbook has no sheet');
  if (sheet.actualRowCount - 1 > MAX_QUESTIONS) {
    return fileError(
      'xlsx',
      `The sheet has ${sheet.actualRowCount - 1} rows; at most ${MAX_QUESTIONS.toLocaleString('en')} questions can be imported at once`,
    );
  }
  const head = readHeader(rowCells(sheet.getRow(1)));
  if (!head.header) return { format: 'xlsx', items: [], errors: head.errors, warnings: head.warnings };
  const header = head.header;
  const labels = trueFalseLabels(options);
  const items: ParsedItem[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const item = rowToItem(rowCells(row), header, items.length, { row: rowNumber }, labels);
    if (item) items.push(item);
  });
  return finishResult('xlsx', items, [], head.warnings);
}

const WIDTHS: Record<string, number> = {
  type: 12,
  stem: 60,
  correct: 10,
  points: 8,
  tags: 24,
  difficulty: 10,
  explanation: 40,
};

function questionSheet(workbook: ExcelJS.Workbook, header: string[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = header.map((key) => ({ header: key, key, width: WIDTHS[key] ?? 24 }));
  sheet.getRow(1).font = { bold: true };
  return sheet;
}

async function toBuffer(workbook: ExcelJS.Workbook): Promise<Buffer> {
  const data: unknown = await workbook.xlsx.writeBuffer();
  return Buffer.from(data as Uint8Array);
}

/** Questions as an XLSX workbook: one sheet in the template's layout. */
export async function exportXlsx(questions: ExportableQuestion[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Quizarena';
  const { header, rows } = tableRows(questions);
  const sheet = questionSheet(workbook, header);
  for (const row of rows) sheet.addRow(row);
  return toBuffer(workbook);
}

const EXAMPLES: (string | number)[][] = [
  [
    'single',
    'Thủ đô của Việt Nam là thành phố nào?',
    'Hà Nội',
    'Huế',
    'Đà Nẵng',
    'TP. Hồ Chí Minh',
    '',
    '',
    'A',
    1,
    'địa lý|lớp 6',
    1,
    'Hà Nội là thủ đô từ năm 1976.',
  ],
  ['multiple', 'Những số nào là số nguyên tố?', '2', '4', '5', '9', '', '', 'A,C', 2, 'toán', 2, ''],
  [
    'truefalse',
    'Nước sôi ở 100 °C dưới áp suất 1 atm.',
    'Đúng',
    'Sai',
    '',
    '',
    '',
    '',
    'A',
    1,
    'vật lý',
    1,
    '',
  ],
];

const HELP: string[][] = [
  ['Cột / Column', 'Hướng dẫn', 'Instructions'],
  [
    'type',
    'single (một đáp án đúng), multiple (một hoặc nhiều đáp án đúng), truefalse (Đúng/Sai)',
    'single (one right answer), multiple (one or more), truefalse',
  ],
  [
    'stem',
    'Nội dung câu hỏi. **đậm**, _nghiêng_; xuống dòng trong ô được giữ nguyên',
    'Question text. **bold**, _italic_; line breaks in the cell are kept',
  ],
  [
    'option_a … option_f',
    'Các phương án, điền liên tục từ A (ít nhất 2, tối đa 10: thêm cột option_g … option_j). Câu truefalse: A = Đúng, B = Sai (có thể để trống)',
    'Options, filled from A without gaps (2 to 10; add option_g … option_j for more). truefalse: A = true, B = false (may be left empty)',
  ],
  [
    'correct',
    'Chữ cái của phương án đúng: "A", hoặc "A,C" cho câu multiple',
    'Letter(s) of the right option(s): "A", or "A,C" for multiple',
  ],
  ['points', 'Điểm của câu (số > 0, mặc định 1)', 'Points (a number > 0, 1 if empty)'],
  ['tags', 'Nhãn, cách nhau bởi dấu |, ví dụ: toán|lớp 10', 'Tags separated by |, e.g. algebra|grade 10'],
  [
    'difficulty',
    'Độ khó từ 1 (dễ) đến 5 (khó), có thể để trống',
    'Difficulty from 1 (easy) to 5 (hard), optional',
  ],
  [
    'explanation',
    'Giải thích hiển thị sau khi có đáp án, có thể để trống',
    'Explanation shown with the answers, optional',
  ],
  [
    '',
    'Chỉ trang tính đầu tiên được nhập; hàng 1 là tiêu đề. Xoá các hàng ví dụ trước khi nhập.',
    'Only the first sheet is imported; row 1 is the header. Delete the example rows before importing.',
  ],
];

const VALIDATED_ROWS = 2000;

/** The downloadable template: header, example rows, instructions in Vietnamese and English. */
export async function xlsxTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Quizarena';
  const sheet = questionSheet(workbook, TEMPLATE_COLUMNS);
  for (const row of EXAMPLES) sheet.addRow(row);
  // Whole-column ranges: exceljs's per-cell validations are merged into overlapping ranges that
  // Excel reports as damaged. `dataValidations` exists at runtime but is missing from the typings.
  const { dataValidations } = sheet as unknown as {
    dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void };
  };
  const column = (key: string) => sheet.getColumn(TEMPLATE_COLUMNS.indexOf(key) + 1).letter;
  dataValidations.add(`${column('type')}2:${column('type')}${VALIDATED_ROWS}`, {
    type: 'list',
    allowBlank: true,
    formulae: ['"single,multiple,truefalse"'],
    showErrorMessage: true,
    error: 'single, multiple, truefalse',
  });
  dataValidations.add(`${column('difficulty')}2:${column('difficulty')}${VALIDATED_ROWS}`, {
    type: 'whole',
    operator: 'between',
    allowBlank: true,
    formulae: [1, 5],
    showErrorMessage: true,
    error: '1 - 5',
  });
  const help = workbook.addWorksheet(HELP_SHEET);
  help.columns = [{ width: 22 }, { width: 70 }, { width: 70 }];
  for (const row of HELP) help.addRow(row).alignment = { wrapText: true, vertical: 'top' };
  help.getRow(1).font = { bold: true };
  return toBuffer(workbook);
}
