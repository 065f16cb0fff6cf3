// Question import and export for banks: the entry points the routes call. Pure functions of bytes
// and questions: no HTTP, no database.
//
// What each format carries (everything else round-trips exactly):
//   csv, xlsx   every field; true/false option texts as written.
//   gift        every field (points and difficulty in "// [points:..] [difficulty:..]" comments
//               Moodle ignores); true/false option texts come back as ParseOptions.trueFalseLabels.
//   moodle-xml  all but difficulty; true/false option texts as for GIFT.
//   aiken       single choice only (others are not representable); stem and options only.
import { exportAiken, parseAiken } from './aiken.ts';
import { exportCsv, parseCsv } from './csv.ts';
import { fileError, tooLarge } from './draft.ts';
import { exportGift, parseGift } from './gift.ts';
import { exportMoodleXml, parseMoodleXml } from './moodle-xml.ts';
import { tableProblems } from './table.ts';
import { decodeText } from './text.ts';
import {
  type ExportableQuestion,
  type ExportResult,
  type InterchangeFormat,
  type ParseOptions,
  type ParseResult,
} from './types.ts';
import { exportXlsx, parseXlsx, xlsxTemplate } from './xlsx.ts';

export type * from './types.ts';
export { INTERCHANGE_FORMATS, MAX_BYTES, MAX_QUESTIONS } from './types.ts';
export { importableQuestions, validateDraft } from './draft.ts';
export { exportAiken, exportCsv, exportGift, exportMoodleXml, exportXlsx, xlsxTemplate };
export { parseAiken, parseCsv, parseGift, parseMoodleXml, parseXlsx };

/** Reads an uploaded file into a preview: every question with its errors and warnings. */
export async function parseQuestions(
  format: InterchangeFormat,
  bytes: Uint8Array,
  options: ParseOptions = {},
): Promise<ParseResult> {
  const large = tooLarge(format, bytes);
  if (large) return large;
  if (format === 'xlsx') return parseXlsx(bytes, options);
  const decoded = decodeText(bytes);
  if (!decoded.ok) return fileError(format, decoded.error);
  switch (format) {
    case 'csv':
      return parseCsv(decoded.text, options);
    case 'gift':
      return parseGift(decoded.text, options);
    case 'aiken':
      return parseAiken(decoded.text);
    case 'moodle-xml':
      return parseMoodleXml(decoded.text, options);
  }
}

const TEXT = 'text/plain; charset=utf-8';

/** Writes questions in a format; those it cannot carry are left out and listed. */
export async function exportQuestions(
  format: InterchangeFormat,
  questions: ExportableQuestion[],
): Promise<ExportResult> {
  switch (format) {
    case 'gift':
      return {
        data: Buffer.from(exportGift(questions)),
        notRepresentable: [],
        mimeType: TEXT,
        extension: 'txt',
      };
    case 'aiken': {
      const { text, notRepresentable } = exportAiken(questions);
      return { data: Buffer.from(text), notRepresentable, mimeType: TEXT, extension: 'txt' };
    }
    case 'moodle-xml':
      return {
        data: Buffer.from(exportMoodleXml(questions)),
        notRepresentable: [],
        mimeType: 'application/xml',
        extension: 'xml',
      };
    case 'csv':
    case 'xlsx': {
      const notRepresentable = tableProblems(questions);
      const kept = questions.filter((_, i) => !notRepresentable.includes(i));
      return format === 'csv'
        ? { data: exportCsv(kept), notRepresentable, mimeType: 'text/csv; charset=utf-8', extension: 'csv' }
        : {
            data: await exportXlsx(kept),
            notRepresentable,
            mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            extension: 'xlsx',
          };
    }
  }
}
