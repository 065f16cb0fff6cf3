// The question-bank part of the HTTP API (docs/api.md "Question banks", "Banks: detail, retire,
// sharing", "Images"): types of what the server answers and one call per route, all through the
// shared `request` so refusals arrive as ApiError with the server's code. Downloads (exports, the
// XLSX template) are plain links: the browser saves them with the session cookie.
import { request, query, type Id } from './api.ts';
import {
  exportHref,
  type BankFilters,
  type ImportFormat,
  type QuestionInput,
  type QuestionSort,
  type QuestionStatus,
  type QuestionType,
} from './organise-banks.ts';

export type { ImportFormat, QuestionInput, QuestionSort, QuestionStatus, QuestionType };

export type BankStatus = 'active' | 'retired';

export interface BankSummary {
  id: number;
  name: string;
  questionCount: number;
  ownerId: number;
  ownerName: string;
  /** Not mine: shared with me by its owner. */
  shared: boolean;
  status: BankStatus;
  updatedAt: string;
}

export interface BankDetail {
  id: number;
  name: string;
  questionCount: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  status: BankStatus;
  /** Only the owner (or an admin) changes who the bank is shared with. */
  canShare: boolean;
  /** Tags of the bank's active questions, with how many carry each. */
  tags: { tag: string; count: number }[];
}

export interface BankQuestion {
  id: number;
  bankId: number;
  type: QuestionType;
  stem: string;
  options: { id: string; text: string; correct: boolean }[];
  points: number;
  tags: string[];
  difficulty: number | null;
  explanation: string | null;
  status: QuestionStatus;
  revision: number;
  /** The first revision's id: the question's identity across edits. */
  rootId: number;
  updatedAt: string;
}

export interface UploadedImage {
  url: string;
  sha256: string;
  type: string;
  bytes: number;
  width: number;
  height: number;
}

/** One question found in an uploaded file (imported, skipped or broken), as the preview shows it. */
export interface ImportItem {
  /** 0-based position among the questions of the file. */
  index: number;
  /** 1-based line where it starts (GIFT, Aiken, Moodle XML, CSV). */
  line?: number;
  /** 1-based spreadsheet row, the header being row 1 (CSV, XLSX). */
  row?: number;
  question?: QuestionInput;
  /** A type the platform does not have (essay, matching, …): never imported. */
  skipped?: { reason: string; kind: string };
  errors: string[];
  warnings: string[];
  /** Id of an active question of the bank with the same stem. */
  duplicateOf: number | null;
  /** Index of an earlier item of the same file with the same stem. */
  repeatOf: number | null;
}

export interface ImportPreview {
  format: ImportFormat;
  items: ImportItem[];
  /** File-level errors: when there is one, nothing in the file can be imported. */
  errors: string[];
  warnings: string[];
  summary: { total: number; importable: number; withErrors: number; skipped: number; duplicates: number };
}

export interface QuestionSearch {
  q?: string;
  type?: QuestionType;
  tag?: string;
  difficulty?: number;
  status?: QuestionStatus;
  sort?: QuestionSort;
  limit?: number;
  offset?: number;
}

/** A contest in the organiser's list (GET /api/manage/contests), for the organiser's start page. */
export interface ManagedContest {
  id: number;
  slug: string;
  title: string;
  status: 'draft' | 'published' | 'closed';
  timeZone: string;
  rounds: number;
  entries: number;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  createdAt: string;
}

const enc = (id: Id) => encodeURIComponent(String(id));

export const banksApi = {
  list: (status: BankStatus = 'active') =>
    request<{ banks: BankSummary[] }>('GET', `/banks${query({ status })}`),
  create: (name: string) => request<{ bank: { id: number; name: string } }>('POST', '/banks', { name }),
  rename: (bankId: Id, name: string) =>
    request<{ bank: { id: number; name: string } }>('PATCH', `/banks/${enc(bankId)}`, { name }),
  retire: (bankId: Id) =>
    request<{ bank: { id: number; status: 'retired' } }>('DELETE', `/banks/${enc(bankId)}`),
  restore: (bankId: Id) =>
    request<{ bank: { id: number; status: 'active' } }>('POST', `/banks/${enc(bankId)}/restore`),
  get: (bankId: Id) => request<{ bank: BankDetail }>('GET', `/banks/${enc(bankId)}`),

  questions: (bankId: Id, search: QuestionSearch) =>
    request<{ total: number; questions: BankQuestion[] }>(
      'GET',
      `/banks/${enc(bankId)}/questions${query({ ...search })}`,
    ),
  addQuestion: (bankId: Id, input: QuestionInput) =>
    request<{ question: { id: number } }>('POST', `/banks/${enc(bankId)}/questions`, input),
  bulk: (bankId: Id, body: { ids: number[]; addTags?: string[]; removeTags?: string[]; retire?: boolean }) =>
    request<{ changed: number }>('POST', `/banks/${enc(bankId)}/questions/bulk`, body),

  question: (questionId: Id) =>
    request<{ question: BankQuestion; used: boolean; history: BankQuestion[] }>(
      'GET',
      `/questions/${enc(questionId)}`,
    ),
  updateQuestion: (questionId: Id, input: QuestionInput) =>
    request<{ question: BankQuestion; newRevision: boolean }>('PUT', `/questions/${enc(questionId)}`, input),
  retireQuestion: (questionId: Id) =>
    request<{ question: { id: number; status: 'retired' } }>('DELETE', `/questions/${enc(questionId)}`),

  /**
   * Import step 1: the raw file becomes a preview. True/false questions of formats that only say
   * TRUE or FALSE get `labels` as their option texts (the UI language's "Đúng"/"Sai").
   */
  previewImport: (bankId: Id, format: ImportFormat, file: Blob, labels: readonly [string, string]) =>
    request<ImportPreview>(
      'POST',
      `/banks/${enc(bankId)}/import/preview${query({ format, trueLabel: labels[0], falseLabel: labels[1] })}`,
      new Blob([file], { type: 'application/octet-stream' }),
    ),
  /** Import step 2: all or nothing (400 BAD_IMPORT changes nothing). */
  import: (bankId: Id, questions: QuestionInput[]) =>
    request<{ imported: number; ids: number[] }>('POST', `/banks/${enc(bankId)}/import`, { questions }),

  /** Raw bytes; the server reads the type from the content (PNG, JPEG, WebP, GIF), 2 MB at most. */
  uploadImage: (file: Blob) =>
    request<{ image: UploadedImage }>(
      'POST',
      '/images',
      new Blob([file], { type: 'application/octet-stream' }),
    ),

  contests: () => request<{ contests: ManagedContest[] }>('GET', '/manage/contests'),
};

export const bankLinks = {
  export: (bankId: Id, format: ImportFormat, filters: BankFilters | null, ids: readonly Id[] = []) =>
    exportHref(bankId, format, filters, ids),
  template: '/api/banks/import-template.xlsx',
};
