// State of one attempt being taken: questions, the participant's choices, and the delivery of
// every choice to the server.
//
// Choices are the hot path and the thing a participant must never lose, so each one is:
//   1. shown at once (optimistic),
//   2. written to localStorage as "unsent" for this attempt,
//   3. PUT to the server, one request in flight per question (a newer choice waits for the
//      older request, so they cannot arrive out of order),
//   4. removed from "unsent" only when the server has acknowledged that exact choice.
// Failures worth retrying (offline, 5xx, 429) are retried with capped exponential backoff and at
// once when the browser comes back online; a reload re-reads "unsent" and sends it again.
//
// This is a class instantiated per attempt page rather than a singleton: its lifecycle is the
// page's (`open()` on mount, `close()` on leave), and two attempts never share state.
import { api, ApiError, type Attempt, type Id, type Question, type Round } from './api.ts';
import { clockOffset } from './format.ts';

export type SaveState = 'idle' | 'saving' | 'saved' | 'failed';

interface Unsent {
  answers: Record<Id, Id[]>;
  prediction?: string;
}

interface Snapshot {
  attempt: Attempt;
  round: Round | null;
  offset: number;
}

const unsentKey = (id: Id) => `qa.attempt.${id}.unsent`;
const snapshotKey = (id: Id) => `qa.attempt.${id}.snapshot`;

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): delivery still works, only reload-safety is lost.
  }
}

function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // ignore
  }
}

/** Forgets everything stored on this device for an attempt (once it is final). */
export function forgetAttempt(id: Id): void {
  remove(unsentKey(id));
  remove(snapshotKey(id));
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
}

const sameIds = (a: readonly Id[] | undefined, b: readonly Id[] | undefined) =>
  !!a && !!b && a.length === b.length && a.every((x, i) => String(x) === String(b[i]));

export type PredictionCheck = { ok: true; value: number } | { ok: false; error: PredictionError };
export type PredictionError = 'empty' | 'integer' | 'percentRange' | 'decimals' | 'number';

/** count: integer >= 0; percent: 0..100 with at most 5 decimals. Accepts "," as decimal mark. */
export function checkPrediction(text: string, kind: 'count' | 'percent'): PredictionCheck {
  const t = text.trim().replace(',', '.');
  if (!t) return { ok: false, error: 'empty' };
  if (kind === 'count') {
    if (!/^\d+$/.test(t)) return { ok: false, error: 'integer' };
    const value = Number(t);
    return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, error: 'integer' };
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, error: 'number' };
  const decimals = t.includes('.') ? t.split('.')[1].length : 0;
  if (decimals > 5) return { ok: false, error: 'decimals' };
  const value = Number(t);
  if (value < 0 || value > 100) return { ok: false, error: 'percentRange' };
  return { ok: true, value };
}

export class AttemptSession {
  readonly attemptId: Id;

  attempt = $state.raw<Attempt | null>(null);
  round = $state.raw<Round | null>(null);
  /** Server clock minus local clock, in ms. */
  offset = $state(0);
  loading = $state(true);
  loadError = $state<ApiError | null>(null);
  /** Showing the copy stored on this device because the server could not be reached. */
  fromCache = $state(false);
  /** The server no longer takes answers (submitted, expired or voided). */
  closed = $state(false);
  /** A request came back 401: the page should send the participant to sign in. */
  authLost = $state(false);

  current = $state(0);
  selections = $state<Record<Id, Id[]>>({});
  saveStates = $state<Record<Id, SaveState>>({});
  saveErrors = $state<Record<Id, string>>({});
  unsentCount = $state(0);

  predictionText = $state('');
  predictionState = $state<SaveState>('idle');
  predictionError = $state('');

  submitting = $state(false);
  submitError = $state<ApiError | null>(null);

  questions = $derived<Question[]>(this.attempt?.questions ?? []);
  deadlineMs = $derived(this.attempt ? Date.parse(this.attempt.deadline) : 0);
  answeredCount = $derived(this.questions.filter((q) => (this.selections[q.id]?.length ?? 0) > 0).length);
  unansweredNumbers = $derived(
    this.questions.flatMap((q, i) => ((this.selections[q.id]?.length ?? 0) > 0 ? [] : [i + 1])),
  );

  // Delivery bookkeeping is deliberately not reactive: the screen reads saveStates and
  // unsentCount, which are updated explicitly, and nothing should re-render per request.
  /** Keyed by String(questionId): ids arrive as numbers from the API and strings from storage. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #unsent = new Map<string, Id[]>();
  #predictionUnsent: string | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #inFlight = new Set<string>();
  /** What the server has acknowledged, by String(questionId), for the offline snapshot. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #acked = new Map<string, Id[]>();
  #ackedPrediction: number | null = null;
  #predictionInFlight = false;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #detach: (() => void) | undefined;
  #closedByUser = false;

  constructor(attemptId: Id) {
    this.attemptId = attemptId;
  }

  /** Loads the attempt and starts delivering; call once when the page mounts. */
  async open(): Promise<void> {
    const onOnline = () => {
      this.#failures = 0;
      if (this.fromCache || this.loadError?.isRetryable) void this.load();
      else this.flush();
    };
    // Phones suspend background tabs: a participant coming back sends what is pending at once.
    const onVisible = () => {
      if (document.visibilityState === 'visible' && this.unsentCount > 0) {
        this.#failures = 0;
        this.flush();
      }
    };
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', onVisible);
    this.#detach = () => {
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
    };
    await this.load();
  }

  /** Stops timers and listeners; call when the page is left. Unsent choices stay stored. */
  close(): void {
    this.#closedByUser = true;
    this.#detach?.();
    this.#detach = undefined;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  async load(): Promise<void> {
    this.loading = this.attempt === null;
    const sentAt = Date.now();
    try {
      const { attempt } = await api.attempt(this.attemptId);
      this.offset = clockOffset(attempt.now, sentAt, Date.now());
      this.loadError = null;
      this.fromCache = false;
      this.#apply(attempt);
      if (!this.round || String(this.round.id) !== String(attempt.roundId)) {
        try {
          this.round = (await api.round(attempt.roundId)).round;
        } catch (err) {
          // The round only adds the prediction question and titles; keep a stored copy if any.
          const stored = readJson<Snapshot>(snapshotKey(this.attemptId));
          if (stored?.round) this.round = stored.round;
          else console.warn('round failed', err);
        }
      }
      this.#storeSnapshot();
    } catch (err) {
      const e = toApiError(err);
      if (e.status === 401) this.authLost = true;
      const stored = e.isRetryable ? readJson<Snapshot>(snapshotKey(this.attemptId)) : null;
      if (stored && !this.attempt) {
        // Offline reload: carry on from the stored copy; the deadline is the server's anyway.
        this.offset = stored.offset;
        this.round = stored.round;
        this.fromCache = true;
        this.#apply(stored.attempt);
      } else if (!this.attempt) {
        this.loadError = e;
      }
      if (e.isRetryable) this.#scheduleRetry();
    } finally {
      this.loading = false;
    }
  }

  #apply(attempt: Attempt): void {
    const firstLoad = this.attempt === null;
    this.attempt = attempt;
    if (attempt.status !== 'in_progress') {
      this.closed = true;
      forgetAttempt(this.attemptId);
      return;
    }
    const known = attempt.questions.map((q) => String(q.id));
    const selections: Record<Id, Id[]> = {};
    const states: Record<Id, SaveState> = {};
    this.#acked.clear();
    this.#ackedPrediction = attempt.prediction ?? null;
    for (const a of attempt.answers) {
      selections[a.questionId] = [...a.optionIds];
      states[a.questionId] = 'saved';
      this.#acked.set(String(a.questionId), [...a.optionIds]);
    }
    const unsent = readJson<Unsent>(unsentKey(this.attemptId));
    this.#unsent.clear();
    for (const [qid, ids] of Object.entries(unsent?.answers ?? {})) {
      if (!known.includes(qid) || !Array.isArray(ids)) continue;
      if (sameIds(selections[qid], ids)) continue; // the server already has it
      selections[qid] = ids;
      states[qid] = 'idle';
      this.#unsent.set(qid, ids);
    }
    this.selections = selections;
    this.saveStates = states;
    this.saveErrors = {};
    this.#predictionUnsent = unsent?.prediction ?? null;
    if (this.#predictionUnsent !== null) this.predictionText = this.#predictionUnsent;
    else if (attempt.prediction !== null && attempt.prediction !== undefined) {
      this.predictionText = String(attempt.prediction);
      this.predictionState = 'saved';
    }
    this.#persist();
    if (firstLoad) {
      const firstOpen = attempt.questions.findIndex((q) => (selections[q.id]?.length ?? 0) === 0);
      this.current = firstOpen === -1 ? 0 : firstOpen;
    }
    this.flush();
  }

  /**
   * Keeps a copy of the attempt, with every acknowledged answer, for a reload without network.
   * Only while in progress: a final attempt is forgotten.
   */
  #storeSnapshot(): void {
    const attempt = this.attempt;
    if (!attempt || attempt.status !== 'in_progress' || this.closed) return;
    const answers = [...this.#acked].map(([questionId, optionIds]) => ({ questionId, optionIds }));
    writeJson(snapshotKey(this.attemptId), {
      attempt: { ...attempt, answers, prediction: this.#ackedPrediction },
      round: this.round,
      offset: this.offset,
    } satisfies Snapshot);
  }

  #persist(): void {
    this.unsentCount = this.#unsent.size + (this.#predictionUnsent !== null ? 1 : 0);
    if (this.unsentCount === 0) {
      remove(unsentKey(this.attemptId));
      return;
    }
    const answers: Record<Id, Id[]> = {};
    for (const [qid, ids] of this.#unsent) answers[qid] = ids;
    const value: Unsent = { answers };
    if (this.#predictionUnsent !== null) value.prediction = this.#predictionUnsent;
    writeJson(unsentKey(this.attemptId), value);
  }

  /** Records a choice and sends it at once. */
  choose(questionId: Id, optionIds: Id[]): void {
    if (this.closed || this.submitting) return;
    const key = String(questionId);
    this.selections[key] = optionIds;
    this.#unsent.set(key, optionIds);
    this.#persist();
    void this.#send(key);
  }

  /** The retry button: send this question's current choice now. */
  retry(questionId: Id): void {
    const key = String(questionId);
    const ids = this.#unsent.get(key) ?? this.selections[key];
    if (!ids) return;
    this.#unsent.set(key, ids);
    this.#persist();
    this.#failures = 0;
    if (this.#inFlight.has(key))
      this.saveStates[key] = 'saving'; // an automatic try is under way
    else void this.#send(key);
  }

  /** Sends everything not yet acknowledged. */
  flush(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const qid of this.#unsent.keys()) void this.#send(qid, true);
    if (this.#predictionUnsent !== null) void this.#sendPrediction();
  }

  /**
   * `background`: an automatic retry. It leaves a "not saved" state on screen until it succeeds,
   * so the retry button does not flicker away under the participant's finger.
   */
  async #send(qid: string, background = false): Promise<void> {
    if (this.closed || this.#inFlight.has(qid)) return;
    const ids = this.#unsent.get(qid);
    if (!ids) return;
    this.#inFlight.add(qid);
    if (!(background && this.saveStates[qid] === 'failed')) {
      this.saveStates[qid] = 'saving';
      delete this.saveErrors[qid];
    }
    let again = false;
    try {
      await api.saveAnswer(this.attemptId, qid, ids);
      this.#failures = 0;
      this.#acked.set(qid, ids);
      this.#storeSnapshot();
      if (sameIds(this.#unsent.get(qid), ids)) {
        this.#unsent.delete(qid);
        this.#persist();
        this.saveStates[qid] = 'saved';
      } else {
        again = true; // a newer choice was made while this one travelled
      }
      delete this.saveErrors[qid];
    } catch (err) {
      const e = toApiError(err);
      this.saveStates[qid] = 'failed';
      if (e.code === 'ATTEMPT_CLOSED') {
        this.#markClosed();
      } else if (e.status === 401) {
        this.authLost = true;
      } else if (e.isRetryable) {
        this.#scheduleRetry();
      } else {
        // A refusal that will not change by retrying (BAD_OPTION, UNKNOWN_QUESTION, ...).
        this.#unsent.delete(qid);
        this.#persist();
        this.saveErrors[qid] = e.message;
      }
    } finally {
      this.#inFlight.delete(qid);
    }
    if (again) void this.#send(qid);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#closedByUser || this.closed) return;
    const base = Math.min(30_000, 1000 * 2 ** this.#failures);
    this.#failures = Math.min(this.#failures + 1, 10);
    const delay = base * (0.75 + Math.random() * 0.5);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.fromCache || (this.loadError && !this.attempt)) void this.load();
      else this.flush();
    }, delay);
  }

  #markClosed(): void {
    this.closed = true;
    this.#unsent.clear();
    this.#predictionUnsent = null;
    forgetAttempt(this.attemptId);
    this.unsentCount = 0;
  }

  get predictionKind(): 'count' | 'percent' | null {
    return this.round?.prediction?.kind ?? null;
  }

  /** Validates the typed prediction and sends it; returns whether it is valid. */
  commitPrediction(): boolean {
    const kind = this.predictionKind;
    if (!kind || this.closed) return true;
    const check = checkPrediction(this.predictionText, kind);
    if (!check.ok) {
      if (check.error !== 'empty') this.predictionState = 'idle';
      return false;
    }
    const text = String(check.value);
    if (this.predictionState === 'saved' && this.predictionText.trim() === text) return true;
    this.#predictionUnsent = text;
    this.#persist();
    void this.#sendPrediction();
    return true;
  }

  async #sendPrediction(): Promise<void> {
    if (this.closed || this.#predictionInFlight || this.#predictionUnsent === null) return;
    const text = this.#predictionUnsent;
    this.#predictionInFlight = true;
    this.predictionState = 'saving';
    this.predictionError = '';
    let again = false;
    try {
      await api.savePrediction(this.attemptId, Number(text));
      this.#ackedPrediction = Number(text);
      this.#storeSnapshot();
      if (this.#predictionUnsent === text) {
        this.#predictionUnsent = null;
        this.#persist();
        this.predictionState = 'saved';
      } else again = true;
    } catch (err) {
      const e = toApiError(err);
      this.predictionState = 'failed';
      if (e.code === 'ATTEMPT_CLOSED') this.#markClosed();
      else if (e.status === 401) this.authLost = true;
      else if (e.isRetryable) this.#scheduleRetry();
      else {
        this.#predictionUnsent = null;
        this.#persist();
        this.predictionError = e.message;
      }
    } finally {
      this.#predictionInFlight = false;
    }
    if (again) void this.#sendPrediction();
  }

  /** Waits until every choice is acknowledged, or `timeoutMs` passes. */
  async #drain(timeoutMs: number): Promise<void> {
    this.flush();
    const until = Date.now() + timeoutMs;
    while (
      (this.#unsent.size > 0 || this.#inFlight.size > 0 || this.#predictionInFlight) &&
      Date.now() < until &&
      !this.closed
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Submits the attempt. Resolves true when the attempt is final (submitted now, or already
   * closed by the server: 409 ATTEMPT_CLOSED), false when it must be tried again.
   */
  async submit(): Promise<boolean> {
    if (this.submitting) return false;
    if (this.closed) return true;
    this.submitting = true;
    this.submitError = null;
    try {
      await this.#drain(6000);
      let prediction: number | undefined;
      const kind = this.predictionKind;
      if (kind) {
        const check = checkPrediction(this.predictionText, kind);
        if (check.ok) prediction = check.value;
      }
      await api.submit(this.attemptId, prediction);
      this.#markClosed();
      return true;
    } catch (err) {
      const e = toApiError(err);
      if (e.code === 'ATTEMPT_CLOSED') {
        this.#markClosed();
        return true;
      }
      if (e.status === 401) this.authLost = true;
      this.submitError = e;
      return false;
    } finally {
      this.submitting = false;
    }
  }
}
