// The one typed client for the Quizarena HTTP API (docs/api.md). Every call goes through
// `request`, which sends JSON with the session cookie and turns any refusal into an ApiError
// carrying the server's stable `code`, so pages can tell refusals apart without parsing text.

export type Role = 'participant' | 'organiser' | 'judge' | 'admin';
/** Records have integer ids, options have string ids; both travel as JSON and end up in URLs. */
export type Id = string | number;

export interface User {
  id: Id;
  email: string;
  name: string;
  roles: Role[];
}

export type ContestStatus = 'draft' | 'published' | 'closed';

export interface ContestSummary {
  id: Id;
  slug: string;
  title: string;
  description: string;
  status: ContestStatus;
  timeZone: string;
  rounds: number;
}

export type FieldType = 'text' | 'date' | 'phone' | 'select' | 'unit' | 'group';

export interface RegistrationField {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
}

export interface Group {
  key: string;
  name: string;
}

export interface Unit {
  code: string;
  name: string;
  parentCode: string | null;
}

export type Visibility = 'immediately' | 'after_close' | 'never';
export type RoundState = 'upcoming' | 'open' | 'closed';

export interface BestAttempt {
  attemptId: Id;
  score: number;
  maxScore: number;
  correctCount: number;
  durationMs: number;
}

export interface RoundMe {
  attemptsUsed: number;
  attemptsLeft: number;
  inProgressAttemptId: Id | null;
  best: BestAttempt | null;
}

export interface Prediction {
  prompt: string;
  kind: 'count' | 'percent';
}

export interface Round {
  id: Id;
  contestId: Id;
  contestSlug: string;
  title: string;
  opensAt: string;
  closesAt: string;
  timeLimitSec: number;
  questionCount: number;
  maxAttempts: number;
  prediction: Prediction | null;
  showAnswers: Visibility;
  showLeaderboard: Visibility;
  state: RoundState;
  me: RoundMe | null;
  /** Where the final results stand; not sent by the server yet, read when present. */
  resultsStatus?: ResultsStatus;
}

export interface Contest {
  id: Id;
  slug: string;
  title: string;
  description: string;
  rulesText: string;
  status: ContestStatus;
  timeZone: string;
  registrationFields: RegistrationField[];
  groups: Group[];
  units: Unit[];
  rounds: Round[];
}

export type FieldValues = Record<string, string>;

export interface Entry {
  id: Id;
  fullName: string;
  unitCode: string | null;
  groupKey: string | null;
  fields: FieldValues;
}

export type QuestionType = 'single' | 'multiple' | 'truefalse';

export interface Option {
  id: Id;
  text: string;
}

export interface Question {
  id: Id;
  type: QuestionType;
  stem: string;
  points: number;
  options: Option[];
  // Present only once the attempt is final and the round lets answers be shown.
  correctOptionIds?: Id[];
  explanation?: string | null;
  correct?: boolean;
}

export interface SavedAnswer {
  questionId: Id;
  optionIds: Id[];
}

export type AttemptStatus = 'in_progress' | 'submitted' | 'expired' | 'voided';

export interface AttemptResult {
  score: number;
  maxScore: number;
  correctCount: number;
  durationMs: number;
  submittedAt: string;
}

export interface Attempt {
  id: Id;
  roundId: Id;
  status: AttemptStatus;
  startedAt: string;
  deadline: string;
  now: string;
  questions: Question[];
  answers: SavedAnswer[];
  prediction: number | null;
  result: AttemptResult | null;
}

export interface SubmittedAttempt extends AttemptResult {
  id: Id;
  status: AttemptStatus;
}

export interface LeaderboardEntry {
  rank: number;
  participantId: Id;
  name: string;
  unit: string | null;
  score: number;
  durationMs: number;
}

export interface Leaderboard {
  total: number;
  entries: LeaderboardEntry[];
}

export interface LeaderboardMe {
  total: number;
  entry: LeaderboardEntry | null;
}

// ---- Judging (judge or admin) ------------------------------------------------------------------

export type ResultsStatus = 'open' | 'finalized' | 'published';
/** Which rule put a row after the one above it in the final ranking (null: first of its group). */
export type DecidedBy = 'score' | 'prediction' | 'duration' | 'submitted' | 'tie';

/** GET /api/rounds/:id also carries the contest's title, zone and groups. */
export interface RoundDetail extends Round {
  contestTitle: string;
  timeZone: string;
  groups: Group[];
}

export interface PredictionActualValue {
  kind: string;
  value: number;
  allCorrect: number;
  participants: number;
}

export interface BoundaryTie {
  group: string | null;
  prize: string;
  rank: number;
  userIds: number[];
  /** Places of the prize left for the tied participants (fewer than them). */
  places: number;
}

export interface Finalisation {
  id: number;
  roundId: number;
  hash: string;
  createdAt: string;
  createdBy: number;
  participants: number;
  prediction: PredictionActualValue | null;
  rankingCheck: { ok: boolean; rebuilt: boolean };
  boundaryTies: BoundaryTie[];
}

export interface ResultRow {
  userId: number;
  attemptId: number;
  groupKey: string | null;
  name: string;
  unit: string | null;
  unitCode: string | null;
  fields: Record<string, string>;
  score: number;
  correctCount: number;
  durationMs: number;
  submittedAt: string;
  prediction: number | null;
  finalRank: number | null;
  predictionDistance: number | null;
  prize: string | null;
  decidedBy: DecidedBy | null;
}

export type ResultsSort = 'rank' | 'name' | 'submitted' | 'duration';

export interface ResultsQuery {
  group?: string;
  unit?: string;
  q?: string;
  sort?: ResultsSort;
  limit?: number;
  offset?: number;
}

export interface ResultsPage {
  total: number;
  finalisation: {
    id: number;
    hash: string;
    createdAt: string;
    actualValue: number | null;
    /** Stored with the finalisation (older servers did not send it). */
    boundaryTies?: BoundaryTie[];
  } | null;
  rows: ResultRow[];
}

export interface AuditAttempt {
  id: number;
  roundId: number;
  userId: number;
  status: AttemptStatus;
  seed: string;
  startedAt: string;
  deadline: string;
  submittedAt: string | null;
  durationMs: number | null;
  score: number | null;
  maxScore: number;
  correctCount: number | null;
  prediction: number | null;
  ip: string | null;
  userAgent: string | null;
  voidReason: string | null;
}

export interface AuditQuestion {
  position: number;
  questionId: number;
  type: QuestionType;
  stem: string;
  points: number;
  options: { id: string; text: string; correct: boolean }[];
  chosen: string[];
}

export interface AttemptAudit {
  attempt: AuditAttempt;
  questions: AuditQuestion[];
  saves: {
    questionId: number;
    optionIds: string[];
    at: string;
    ip: string | null;
    userAgent: string | null;
  }[];
  events: {
    action: string;
    at: string;
    actorId: number | null;
    ip: string | null;
    userAgent: string | null;
    data: Record<string, unknown>;
  }[];
}

export type FlagKind = 'same_id_number' | 'same_phone' | 'same_email' | 'fast_attempt' | 'shared_ip';

export interface SuspicionFlags {
  flags: { kind: FlagKind; value: string; userIds: number[]; attemptIds: number[] }[];
  thresholds: { fastUnderMs: number; fastMinShare: number; sharedIpMinAccounts: number };
}

export interface UnitParticipation {
  unitCode: string;
  unitName: string;
  participants: number;
  headcount: number | null;
  /** participants / headcount (0..1), null when the headcount is unknown. */
  rate: number | null;
}

export interface LocalityParticipation {
  locality: string | null;
  participants: number;
}

export type ItemFlag = 'negative_discrimination' | 'possible_miskey';

export interface ItemStats {
  questionId: number;
  type: string;
  stem: string;
  responses: number;
  correct: number;
  /** Share of responses fully right (0..1). */
  facility: number | null;
  unanswered: number;
  top: { responses: number; correct: number; facility: number | null };
  bottom: { responses: number; correct: number; facility: number | null };
  /** Upper-lower index, -1..1. */
  discrimination: number | null;
  options: {
    id: string;
    text: string;
    correct: boolean;
    chosen: number;
    chosenTop: number;
    chosenBottom: number;
  }[];
  flags: ItemFlag[];
}

export interface RoundStatistics {
  view: 'full' | 'public';
  round: {
    id: number;
    title: string;
    contestSlug: string;
    timeZone: string;
    questionCount: number;
    resultsStatus: ResultsStatus;
  };
  participation: {
    participants: number;
    attempts: number;
    byDay: { date: string; attempts: number; participants: number }[];
    byUnit: UnitParticipation[];
    withoutUnit: number;
    byLocality: LocalityParticipation[];
  };
  scores: {
    maxScore: number | null;
    mean: number | null;
    median: number | null;
    histogram: { score: number; count: number }[];
  };
  itemAnalysis?: { attempts: number; groupSize: number; items: ItemStats[] };
}

export interface PublicPerson {
  rank: number;
  name: string;
  unit: string | null;
  score: number;
  durationMs: number;
  prize: string | null;
}

export interface PublicResults {
  round: { id: number; title: string; contestSlug: string; contestTitle: string; timeZone: string };
  finalisedAt: string;
  publishedAt: string | null;
  hash: string;
  participants: number;
  prediction: PredictionActualValue | null;
  groups: {
    key: string | null;
    name: string | null;
    participants: number;
    winners: PublicPerson[];
    top: PublicPerson[];
  }[];
  participation: {
    byUnit: (UnitParticipation & { rankByCount: number; rankByRate: number | null })[];
    withoutUnit: number;
    byLocality: LocalityParticipation[];
  };
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string;
  data: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: number;
  limit?: number;
  offset?: number;
}

export interface AuditVerifyReport {
  ok: boolean;
  checked: number;
  brokenAt: number | null;
  reason: string | null;
}

/** A refusal from the server (status >= 400) or a failure to reach it (status 0, code NETWORK). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The whole error body, for refusals that carry more (ATTEMPT_IN_PROGRESS has `attemptId`). */
  readonly body: Record<string, unknown>;

  constructor(status: number, code: string, message: string, body: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }

  /** No answer at all (offline, DNS, reset): worth retrying later. */
  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Transient server-side trouble: worth retrying later. */
  get isRetryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls the API. `body` is sent as JSON, except a Blob (a file to upload), which is sent as raw
 * bytes with its own type (or application/octet-stream).
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: string | Blob | undefined;
  if (body instanceof Blob) {
    headers['content-type'] = body.type || 'application/octet-stream';
    payload = body;
  } else if (method !== 'GET') {
    // The API accepts only JSON bodies on mutations, and Fastify refuses an empty body sent as
    // JSON, so every mutation sends at least `{}`.
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'Network error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text().catch(() => '');
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const obj = isRecord(data) ? data : {};
    const code = typeof obj.code === 'string' ? obj.code : `HTTP_${res.status}`;
    const message = typeof obj.message === 'string' && obj.message ? obj.message : res.statusText || code;
    throw new ApiError(res.status, code, message, obj);
  }
  return data as T;
}

const enc = encodeURIComponent;

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  register: (body: { email: string; password: string; name: string }) =>
    request<{ user: User }>('POST', '/auth/register', body),
  login: (body: { email: string; password: string }) => request<{ user: User }>('POST', '/auth/login', body),
  logout: () => request<void>('POST', '/auth/logout'),
  me: () => request<{ user: User }>('GET', '/auth/me'),

  contests: () => request<{ contests: ContestSummary[] }>('GET', '/contests'),
  contest: (slug: string) =>
    request<{ contest: Contest; entry: Entry | null; now: string }>('GET', `/contests/${enc(slug)}`),
  saveEntry: (slug: string, fields: FieldValues) =>
    request<{ entry: Entry }>('POST', `/contests/${enc(slug)}/entry`, { fields }),
  round: (roundId: Id) => request<{ round: RoundDetail; now: string }>('GET', `/rounds/${enc(roundId)}`),

  startAttempt: (roundId: Id) => request<{ attempt: Attempt }>('POST', `/rounds/${enc(roundId)}/attempts`),
  attempt: (attemptId: Id) => request<{ attempt: Attempt }>('GET', `/attempts/${enc(attemptId)}`),
  saveAnswer: (attemptId: Id, questionId: Id, optionIds: Id[]) =>
    request<{ saved: { questionId: Id; optionIds: Id[]; savedAt: string } }>(
      'PUT',
      `/attempts/${enc(attemptId)}/answers/${enc(questionId)}`,
      { optionIds },
    ),
  savePrediction: (attemptId: Id, value: number) =>
    request<{ prediction: number }>('PUT', `/attempts/${enc(attemptId)}/prediction`, { value }),
  submit: (attemptId: Id, prediction?: number) =>
    request<{ attempt: SubmittedAttempt }>(
      'POST',
      `/attempts/${enc(attemptId)}/submit`,
      prediction === undefined ? {} : { prediction },
    ),

  leaderboard: (roundId: Id, opts: { limit?: number; offset?: number; group?: string } = {}) =>
    request<Leaderboard>(
      'GET',
      `/rounds/${enc(roundId)}/leaderboard${query({ limit: opts.limit, offset: opts.offset, group: opts.group })}`,
    ),
  leaderboardMe: (roundId: Id, group?: string) =>
    request<LeaderboardMe>('GET', `/rounds/${enc(roundId)}/leaderboard/me${query({ group })}`),

  // Judging (judge or admin).
  finalize: (roundId: Id) =>
    request<{ finalisation: Finalisation }>('POST', `/rounds/${enc(roundId)}/finalize`),
  publishResults: (roundId: Id) =>
    request<{ round: { id: number; resultsStatus: ResultsStatus } }>(
      'POST',
      `/rounds/${enc(roundId)}/publish-results`,
    ),
  reopen: (roundId: Id, reason: string) =>
    request<{ round: { id: number; resultsStatus: ResultsStatus } }>(
      'POST',
      `/rounds/${enc(roundId)}/reopen`,
      {
        reason,
      },
    ),
  results: (roundId: Id, opts: ResultsQuery = {}) =>
    request<ResultsPage>('GET', `/rounds/${enc(roundId)}/results${query({ ...opts })}`),
  flags: (roundId: Id) => request<SuspicionFlags>('GET', `/rounds/${enc(roundId)}/flags`),
  statistics: (roundId: Id) => request<RoundStatistics>('GET', `/rounds/${enc(roundId)}/statistics`),
  publicResults: (roundId: Id) => request<PublicResults>('GET', `/rounds/${enc(roundId)}/public-results`),
  attemptAudit: (attemptId: Id) => request<AttemptAudit>('GET', `/attempts/${enc(attemptId)}/audit`),
  voidAttempt: (attemptId: Id, reason: string) =>
    request<{
      attempt: { id: number; status: string; voidReason: string };
      counted: { attemptId: number; score: number } | null;
    }>('POST', `/attempts/${enc(attemptId)}/void`, { reason }),
  audit: (opts: AuditQuery = {}) =>
    request<{ total: number; entries: AuditEntry[] }>('GET', `/audit${query({ ...opts })}`),
  verifyAudit: () => request<AuditVerifyReport>('GET', '/audit/verify'),
};

/** Plain links for the judges' downloads (the browser saves them with the session cookie). */
export const downloads = {
  resultsXlsx: (roundId: Id) => `/api/rounds/${enc(roundId)}/results.xlsx`,
  resultsCsv: (roundId: Id) => `/api/rounds/${enc(roundId)}/results.csv`,
  statisticsXlsx: (roundId: Id) => `/api/rounds/${enc(roundId)}/statistics.xlsx`,
};
