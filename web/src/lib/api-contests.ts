// The organiser's contest and round calls (docs/api.md, "Contests and rounds: editing") and their
// types, kept out of api.ts so that only the organiser's lazily loaded pages carry them.
import { request, type ContestStatus, type Group, type Id, type RoundState, type Visibility } from './api.ts';
import type { DrawPreview, RegistrationField, UnitDraft } from './organise-contests.ts';

export type { DrawPreview, RegistrationField, UnitDraft } from './organise-contests.ts';

const enc = encodeURIComponent;

/** A row of GET /api/manage/contests (drafts included). */
export interface ManagedContest {
  id: number;
  slug: string;
  title: string;
  status: ContestStatus;
  timeZone: string;
  rounds: number;
  entries: number;
  ownerId: number;
  ownerName: string;
  /** Not mine: an owner shared it with me (admins see everyone's, marked shared too). */
  shared: boolean;
  createdAt: string;
}

export interface ContestEdit {
  id: number;
  slug: string;
  title: string;
  description: string;
  rulesText: string;
  status: ContestStatus;
  timeZone: string;
  registrationFields: RegistrationField[];
  groups: Group[];
  units: UnitDraft[];
  ownerId: number;
  ownerName: string;
  shared: boolean;
  canShare: boolean;
  entries: number;
}

export interface ContestInput {
  slug: string;
  title: string;
  description?: string;
  rulesText?: string;
  timeZone?: string;
  registrationFields?: RegistrationField[];
  groups?: Group[];
  units?: UnitDraft[];
}

export interface DrawRule {
  bankId: number;
  tags?: string[];
  difficulty?: number[];
  count: number;
}

export interface PrizeBand {
  name: string;
  count: number;
}

export interface PredictionSetting {
  prompt: string;
  kind: 'count' | 'percent';
}

export interface RoundInput {
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: DrawRule[];
  prediction?: PredictionSetting;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions?: boolean;
  shuffleOptions?: boolean;
  partialCredit?: boolean;
  prizeBands?: PrizeBand[];
}

export interface RoundEdit {
  id: number;
  contestId: number;
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  draw: DrawRule[];
  prediction: PredictionSetting | null;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  prizeBands: PrizeBand[];
  state: RoundState;
  resultsStatus: 'open' | 'finalized' | 'published';
  /** Attempts started: once above 0 most settings are locked (409 ROUND_STARTED). */
  attempts: number;
}

export interface RoundContest {
  id: number;
  slug: string;
  title: string;
  timeZone: string;
  status: ContestStatus;
}

export interface ChecklistItem {
  code: string;
  message: string;
  roundId: number | null;
}

export interface Checklist {
  ready: boolean;
  problems: ChecklistItem[];
  warnings: ChecklistItem[];
}

export interface RowMessage {
  row: number;
  message: string;
}

export interface UnitsPreview {
  units: UnitDraft[];
  errors: RowMessage[];
  warnings: RowMessage[];
}

export interface DashboardRound {
  id: number;
  title: string;
  state: RoundState;
  inProgress: number;
  submitted: number;
  participants: number;
}

export interface Dashboard {
  now: string;
  /** The contest's zone, in which days are counted. */
  timeZone?: string;
  entries: number;
  inProgress: number;
  submittedToday: number;
  submitted: number;
  rounds: DashboardRound[];
  /** One row per day (YYYY-MM-DD in the contest's zone). */
  participation: { date: string; entries: number; submissions: number }[];
}

export interface BankOption {
  id: number;
  name: string;
  questionCount: number;
  status?: 'active' | 'retired';
  shared?: boolean;
}

export interface BankTags {
  id: number;
  name: string;
  questionCount: number;
  tags: { tag: string; count: number }[];
}

export const contestsApi = {
  list: () => request<{ contests: ManagedContest[] }>('GET', '/manage/contests'),
  get: (contestId: Id) =>
    request<{ contest: ContestEdit; rounds: RoundEdit[] }>('GET', `/manage/contests/${enc(contestId)}`),
  create: (body: ContestInput) =>
    request<{ contest: { id: number; slug: string } }>('POST', '/contests', body),
  update: (contestId: Id, body: Partial<ContestInput>) =>
    request<{ contest: ContestEdit }>('PATCH', `/contests/${enc(contestId)}`, body),
  previewUnits: (contestId: Id, file: Blob) =>
    request<UnitsPreview>(
      'POST',
      `/contests/${enc(contestId)}/units/preview`,
      new Blob([file], { type: 'application/octet-stream' }),
    ),
  checklist: (contestId: Id) => request<Checklist>('GET', `/contests/${enc(contestId)}/checklist`),
  publish: (contestId: Id) =>
    request<{ contest: { id: number; slug: string; status: ContestStatus } }>(
      'POST',
      `/contests/${enc(contestId)}/publish`,
    ),
  dashboard: (contestId: Id) => request<Dashboard>('GET', `/contests/${enc(contestId)}/dashboard`),

  round: (roundId: Id) =>
    request<{ round: RoundEdit; contest: RoundContest }>('GET', `/manage/rounds/${enc(roundId)}`),
  createRound: (contestId: Id, body: RoundInput) =>
    request<{ round: { id: number } }>('POST', `/contests/${enc(contestId)}/rounds`, body),
  updateRound: (roundId: Id, body: RoundInput) =>
    request<{ round: RoundEdit }>('PUT', `/rounds/${enc(roundId)}`, body),
  deleteRound: (roundId: Id) => request<void>('DELETE', `/rounds/${enc(roundId)}`),
  drawPreview: (draw: DrawRule[], questionCount?: number) =>
    request<DrawPreview>('POST', '/draw/preview', { draw, questionCount }),

  banks: () => request<{ banks: BankOption[] }>('GET', '/banks'),
  bank: (bankId: Id) => request<{ bank: BankTags }>('GET', `/banks/${enc(bankId)}`),
};
