// Question banks: authoring with revisions (a question an attempt has shown is never changed in
// place), retirement instead of deletion, bulk tagging, and import/export in the formats
// organisers already use (two steps: a preview with every problem, then an all-or-nothing import).
import { randomBytes } from 'node:crypto';
import type { QuestionRow, Repositories, UserRow } from '@quizarena/db';
import { badRequest, notFound } from '../errors.ts';
import { canEdit, canManage } from './lookups.ts';
import type { QuestionFilter, QuestionSort } from '@quizarena/db/banks';
import { exportQuestions, type InterchangeFormat } from '../interchange/index.ts';
import { parseInWorker } from '../interchange/parse-in-worker.ts';

const notActive = () =>
  badRequest('QUESTION_NOT_ACTIVE', 'Only the current revision of an active question can be edited');

export interface QuestionInput {
  type: 'single' | 'multiple' | 'truefalse';
  stem: string;
  options: { text: string; correct: boolean }[];
  points?: number;
  tags?: string[];
  difficulty?: number;
  explanation?: string;
}

const optionId = () => randomBytes(6).toString('base64url');

/** Validates a question's shape beyond what the JSON schema can say. */
export function checkQuestion(q: QuestionInput): void {
  const right = q.options.filter((o) => o.correct).length;
  if (q.type === 'truefalse' && q.options.length !== 2) {
    throw badRequest('BAD_QUESTION', 'A true/false question has exactly two options');
  }
  if (q.options.length < 2) throw badRequest('BAD_QUESTION', 'A question needs at least two options');
  if ((q.type === 'single' || q.type === 'truefalse') && right !== 1) {
    throw badRequest(
      'BAD_QUESTION',
      'A single-choice or true/false question needs exactly one correct option',
    );
  }
  if (q.type === 'multiple' && right < 1) {
    throw badRequest('BAD_QUESTION', 'A multiple-response question needs at least one correct option');
  }
  const texts = q.options.map((o) => o.text.trim().normalize('NFC'));
  if (new Set(texts).size !== texts.length)
    throw badRequest('BAD_QUESTION', 'Two options have the same text');
}

/** The stored form: NFC text, fresh option ids, unique tags. */
const normalise = (q: QuestionInput) => ({
  type: q.type,
  stem: q.stem.trim().normalize('NFC'),
  options: q.options.map((o) => ({
    id: optionId(),
    text: o.text.trim().normalize('NFC'),
    correct: o.correct,
  })),
  points: q.points ?? 1,
  tags: [...new Set((q.tags ?? []).map((t) => t.trim().normalize('NFC')).filter(Boolean))],
  difficulty: q.difficulty ?? null,
  explanation: q.explanation?.trim().normalize('NFC') || null,
});

/** Likely duplicates compare stems case- and space-insensitively, after NFC. */
export const stemKey = (stem: string) =>
  stem.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();

export const questionView = (q: QuestionRow) => ({
  id: q.id,
  bankId: q.bankId,
  type: q.type,
  stem: q.stem,
  options: q.options,
  points: q.points,
  tags: q.tags,
  difficulty: q.difficulty,
  explanation: q.explanation,
  status: q.status,
  revision: q.revision,
  rootId: q.rootId ?? q.id,
  updatedAt: new Date(q.updatedAt).toISOString(),
});

export function createBankService(deps: { repos: Repositories }) {
  const { repos } = deps;

  const ownBank = async (bankId: number, user: UserRow) => {
    const bank = await repos.banks.get(bankId);
    if (!bank || !(await canEdit(repos, 'bank', user, bank)))
      throw notFound('BANK_NOT_FOUND', 'No such bank');
    return bank;
  };

  const ownQuestion = async (questionId: number, user: UserRow) => {
    const q = await repos.banks.question(questionId);
    if (!q) throw notFound('QUESTION_NOT_FOUND', 'No such question');
    await ownBank(q.bankId, user).catch(() => {
      throw notFound('QUESTION_NOT_FOUND', 'No such question');
    });
    return q;
  };

  return {
    ownBank,

    async create(user: UserRow, name: string) {
      const bank = await repos.banks.create(user.id, name.trim());
      return { id: bank.id, name: bank.name };
    },
    /** Banks the user owns or that are shared with them; every bank for admins. */
    async list(user: UserRow, status: 'active' | 'retired' = 'active') {
      const rows = await repos.authoring.banks(user.roles.includes('admin') ? null : user.id, status);
      return rows.map((b) => ({
        id: b.id,
        name: b.name,
        questionCount: b.questionCount,
        ownerId: b.ownerId,
        ownerName: b.ownerName,
        shared: b.ownerId !== user.id,
        status: b.status,
        updatedAt: new Date(b.updatedAt ?? b.createdAt).toISOString(),
      }));
    },
    async detail(user: UserRow, bankId: number) {
      const bank = await ownBank(bankId, user);
      const [ownerName, questionCount, tags] = await Promise.all([
        repos.authoring.ownerName(bank.ownerId),
        repos.authoring.bankQuestionCount(bank.id),
        repos.authoring.bankTags(bank.id),
      ]);
      return {
        id: bank.id,
        name: bank.name,
        questionCount,
        ownerId: bank.ownerId,
        ownerName,
        shared: bank.ownerId !== user.id,
        status: bank.status,
        canShare: canManage(user, bank.ownerId),
        tags,
      };
    },
    async rename(user: UserRow, bankId: number, name: string) {
      await ownBank(bankId, user);
      const row = (await repos.banks.update(bankId, name.trim()))!;
      await repos.authoring.touchBank(bankId);
      return { id: row.id, name: row.name };
    },
    /** Puts a retired bank back in use. */
    async restoreBank(user: UserRow, bankId: number) {
      await ownBank(bankId, user);
      await repos.authoring.setBankStatus(bankId, 'active');
      return { id: bankId, status: 'active' as const };
    },
    /** Retires a bank: hidden from lists and new draws; rounds drawing from it keep working. */
    async retireBank(user: UserRow, bankId: number) {
      await ownBank(bankId, user);
      await repos.authoring.setBankStatus(bankId, 'retired');
      return { id: bankId, status: 'retired' as const };
    },
    async addQuestion(user: UserRow, bankId: number, q: QuestionInput) {
      await ownBank(bankId, user);
      checkQuestion(q);
      const [id] = await repos.banks.addQuestions(bankId, [normalise(q)]);
      return { id: id! };
    },
    async search(
      user: UserRow,
      bankId: number,
      filter: QuestionFilter,
      sort: QuestionSort,
      limit: number,
      offset: number,
    ) {
      await ownBank(bankId, user);
      const { total, rows } = await repos.banks.search(bankId, filter, sort, limit, offset);
      return { total, questions: rows.map(questionView) };
    },
    async get(user: UserRow, questionId: number) {
      const q = await ownQuestion(questionId, user);
      const [history, used] = await Promise.all([
        repos.banks.history(q.rootId ?? q.id),
        repos.banks.isUsed(q.id),
      ]);
      return { question: questionView(q), used, history: history.map(questionView) };
    },
    /** Edits a question: in place if no attempt showed it, else as a new revision. */
    async update(user: UserRow, questionId: number, input: QuestionInput) {
      const q = await ownQuestion(questionId, user);
      if (q.status !== 'active') throw notActive();
      checkQuestion(input);
      const used = await repos.banks.isUsed(q.id);
      const row = await repos.banks.revise(q.id, normalise(input), used);
      // Checked again under the write: another edit may have made the next revision meanwhile.
      if (!row) throw notActive();
      return { question: questionView(row), newRevision: used };
    },
    async retire(user: UserRow, questionId: number) {
      const q = await ownQuestion(questionId, user);
      await repos.banks.retire(q.bankId, [q.id]);
      return { question: { id: q.id, status: 'retired' as const } };
    },
    async bulk(
      user: UserRow,
      bankId: number,
      ids: number[],
      action: { addTags?: string[]; removeTags?: string[]; retire?: boolean },
    ) {
      await ownBank(bankId, user);
      const clean = (tags?: string[]) => [
        ...new Set((tags ?? []).map((t) => t.trim().normalize('NFC')).filter(Boolean)),
      ];
      const changed = action.retire
        ? await repos.banks.retire(bankId, ids)
        : await repos.banks.retag(bankId, ids, clean(action.addTags), clean(action.removeTags));
      return { changed };
    },

    /** Step 1: parse an uploaded file into a preview, marking likely duplicates of the bank. */
    async preview(
      user: UserRow,
      bankId: number,
      format: InterchangeFormat,
      bytes: Buffer,
      trueFalseLabels: [string, string],
    ) {
      await ownBank(bankId, user);
      const result = await parseInWorker(format, bytes, { trueFalseLabels });
      const existing = new Map((await repos.banks.activeStems(bankId)).map((s) => [stemKey(s.stem), s.id]));
      const seen = new Map<string, number>();
      const items = result.items.map((item) => {
        const key = item.question ? stemKey(item.question.stem) : null;
        const duplicateOf = key ? (existing.get(key) ?? null) : null;
        const repeatOf = key ? (seen.get(key) ?? null) : null;
        if (key && repeatOf === null) seen.set(key, item.index);
        return { ...item, duplicateOf, repeatOf };
      });
      return {
        format: result.format,
        errors: result.errors,
        warnings: result.warnings,
        items,
        summary: {
          total: items.length,
          importable: items.filter((i) => i.question && i.errors.length === 0).length,
          withErrors: items.filter((i) => i.errors.length > 0).length,
          skipped: items.filter((i) => i.skipped).length,
          duplicates: items.filter((i) => i.duplicateOf !== null).length,
        },
      };
    },

    /** Step 2: import the (possibly corrected) questions, all or nothing, in one transaction. */
    async import(user: UserRow, bankId: number, questions: QuestionInput[]) {
      await ownBank(bankId, user);
      const problems: string[] = [];
      questions.forEach((q, i) => {
        try {
          checkQuestion(q);
        } catch (err) {
          problems.push(`question ${i + 1}: ${(err as Error).message}`);
        }
      });
      if (problems.length > 0) {
        throw badRequest(
          'BAD_IMPORT',
          `Nothing was imported: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? '; …' : ''}`,
        );
      }
      const ids = await repos.banks.addQuestions(bankId, questions.map(normalise));
      return { imported: ids.length, ids };
    },

    async export(user: UserRow, bankId: number, format: InterchangeFormat, filter: QuestionFilter) {
      const bank = await ownBank(bankId, user);
      const rows = await repos.banks.matching(bankId, filter);
      const result = await exportQuestions(
        format,
        rows.map((q) => ({
          type: q.type,
          stem: q.stem,
          options: q.options.map((o) => ({ text: o.text, correct: o.correct })),
          points: q.points,
          tags: q.tags,
          difficulty: q.difficulty,
          explanation: q.explanation,
        })),
      );
      return { ...result, bankName: bank.name, count: rows.length };
    },
  };
}

export type BankService = ReturnType<typeof createBankService>;
