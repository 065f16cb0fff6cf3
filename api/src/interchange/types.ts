// Shapes shared by every importer and exporter. A parsed file is a list of items, one per question
// found in it (imported, skipped or broken), so that the upload preview can show every one of them
// with its line or row; only file-level problems (too big, not UTF-8, malformed XML) stop a parse.
import type { QuestionInput } from '../services/banks.ts';

export type InterchangeFormat = 'csv' | 'xlsx' | 'gift' | 'aiken' | 'moodle-xml';

export const INTERCHANGE_FORMATS: readonly InterchangeFormat[] = [
  'csv',
  'xlsx',
  'gift',
  'aiken',
  'moodle-xml',
];

/** A question as the platform stores it, before it belongs to a bank. */
export type QuestionDraft = QuestionInput;

/** What the exporters accept: drafts, or bank rows whose optional fields are null. */
export type ExportableQuestion = Omit<QuestionDraft, 'difficulty' | 'explanation'> & {
  difficulty?: number | null;
  explanation?: string | null;
};

export interface ParsedItem {
  /** 0-based position among the questions of the file, skipped and broken ones included. */
  index: number;
  /** 1-based line where the question starts (GIFT, Aiken, Moodle XML, CSV). */
  line?: number;
  /** 1-based spreadsheet row, the header being row 1 (CSV, XLSX). */
  row?: number;
  /** Present when the item could be read; it is importable only when `errors` is empty. */
  question?: QuestionDraft;
  /** A question of a type the platform does not have (essay, matching, ...): never imported. */
  skipped?: { reason: string; kind: string };
  errors: string[];
  warnings: string[];
}

export interface ParseResult {
  format: InterchangeFormat;
  items: ParsedItem[];
  /** File-level errors: when there is one, nothing in the file should be imported. */
  errors: string[];
  /** File-level remarks (ignored columns, shortened category names, ...). */
  warnings: string[];
}

export interface ParseOptions {
  /**
   * Option texts for true/false questions read from formats that only say TRUE or FALSE (GIFT,
   * Moodle XML, CSV/XLSX rows without options): ['Đúng', 'Sai'] for the Vietnamese UI.
   */
  trueFalseLabels?: readonly [string, string];
}

export interface ExportResult {
  data: Buffer;
  /** Indexes (0-based, into the exported list) of questions the format cannot carry; left out. */
  notRepresentable: number[];
  mimeType: string;
  extension: string;
}

export const MAX_BYTES = 10 * 1024 * 1024;
export const MAX_QUESTIONS = 10_000;
