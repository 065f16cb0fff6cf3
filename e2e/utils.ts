// Shared set-up for the end-to-end specs: state is made through the API (accounts, entries,
// contests, attempts) so that each spec clicks only through the part of the app it is about.
// The UI runs in its default language, Vietnamese; the few texts the specs read are named here.
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

// The demo content loaded by the test server (SEED_DEMO=true), as defined in seed/src/index.ts.
export const DEMO_SLUG = 'tim-hieu-tu-tuong-ho-chi-minh-2026';
export const DEMO_PASSWORD = 'quizarena-demo';
export const ORGANISER_EMAIL = 'organiser@quizarena.local';
export const WEEK1_TITLE = 'Tuần 1 / Week 1';

/** Vietnamese texts (web/src/lib/i18n.svelte.ts) that specs use as accessible names. */
export const vi = {
  start: 'Bắt đầu',
  submit: 'Nộp bài',
  confirmSubmit: 'Xác nhận nộp bài',
  keepAnswering: 'Tiếp tục làm bài',
  leaderboard: 'Bảng xếp hạng',
  contestsHeading: 'Các cuộc thi',
  correctAnswer: 'đáp án đúng',
} as const;

export interface Attempt {
  id: number;
  roundId: number;
  status: 'in_progress' | 'submitted' | 'expired' | 'voided';
  startedAt: string;
  deadline: string;
  now: string;
  questions: { id: number; type: string; stem: string; options: { id: string; text: string }[] }[];
  answers: { questionId: number; optionIds: string[] }[];
  prediction: number | null;
}

interface RoundSummary {
  id: number;
  title: string;
}

let counter = 0;
/** A lowercase slug-safe name no other test (in any worker) has used. */
export function uniqueId(prefix: string): string {
  counter += 1;
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter}-${rand}`;
}

export function uniqueEmail(prefix: string): string {
  return `${uniqueId(prefix)}@e2e.quizarena.example`;
}

async function ok<T>(res: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(res.ok(), `${what}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return (await res.json()) as T;
}

/** Creates an account and signs `request` in (cookies are shared with the page for page.request). */
export async function signUp(request: APIRequestContext, name: string, email = uniqueEmail('p')) {
  const res = await request.post('/api/auth/register', { data: { email, password: DEMO_PASSWORD, name } });
  await ok(res, 'register');
  return { email, name };
}

export async function signIn(request: APIRequestContext, email: string, password = DEMO_PASSWORD) {
  await ok(await request.post('/api/auth/login', { data: { email, password } }), 'login');
}

/** A complete registration for the demo contest. */
export function demoEntryFields(fullName: string): Record<string, string> {
  return { fullName, dateOfBirth: '2004-05-19', phone: '0912345678', unit: 'NA-DHV', group: 'B' };
}

export async function enter(request: APIRequestContext, slug: string, fields: Record<string, string>) {
  await ok(await request.post(`/api/contests/${slug}/entry`, { data: { fields } }), 'entry');
}

export async function roundByTitle(
  request: APIRequestContext,
  slug: string,
  title: string,
): Promise<RoundSummary> {
  const { contest } = await ok<{ contest: { rounds: RoundSummary[] } }>(
    await request.get(`/api/contests/${slug}`),
    'contest',
  );
  const round = contest.rounds.find((r) => r.title === title);
  expect(round, `round ${title} of ${slug}`).toBeDefined();
  return round!;
}

export async function startAttempt(request: APIRequestContext, roundId: number): Promise<Attempt> {
  const res = await request.post(`/api/rounds/${roundId}/attempts`);
  return (await ok<{ attempt: Attempt }>(res, 'start attempt')).attempt;
}

export async function getAttempt(request: APIRequestContext, attemptId: number): Promise<Attempt> {
  return (await ok<{ attempt: Attempt }>(await request.get(`/api/attempts/${attemptId}`), 'attempt')).attempt;
}

/** A participant signed up and entered in the demo contest, with the page's cookies. */
export async function demoParticipant(page: Page, name: string) {
  const account = await signUp(page.request, name);
  await enter(page.request, DEMO_SLUG, demoEntryFields(name));
  const week1 = await roundByTitle(page.request, DEMO_SLUG, WEEK1_TITLE);
  return { ...account, week1 };
}

/** The card of one round on a contest page. */
export function roundCard(page: Page, title: string): Locator {
  return page.getByRole('article', { name: title });
}

/** The question on screen (a fieldset named by its legend). */
export function currentQuestion(page: Page): Locator {
  return page.getByTestId('question');
}

/**
 * Picks option `index` of the question on screen (modulo its number of options: true/false
 * questions have two) and waits until the server has acknowledged it. Returns the question id
 * and the chosen option id.
 */
export async function answerCurrent(
  page: Page,
  index = 0,
): Promise<{ questionId: string; optionId: string }> {
  const question = currentQuestion(page);
  const options = question.getByTestId('option');
  await expect(options.first()).toBeVisible();
  const option = options.nth(index % (await options.count()));
  await option.check();
  await expect(option).toBeChecked();
  await expect(question.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  return {
    questionId: (await question.getAttribute('data-question-id')) ?? '',
    optionId: await option.inputValue(),
  };
}

/** Moves to the next question and waits until it is on screen. */
export async function nextQuestion(page: Page): Promise<void> {
  const before = await currentQuestion(page).getAttribute('data-question-id');
  await page.getByTestId('next').click();
  await expect(currentQuestion(page)).not.toHaveAttribute('data-question-id', before ?? '');
}

/** The navigator button of question `n` (1-based), answered or not. */
export function navCell(page: Page, n: number): Locator {
  return page.getByRole('button', { name: new RegExp(`^Câu ${n}, `) });
}

/** "mm:ss" or "h:mm:ss" from the attempt countdown, in seconds. */
export async function countdownSeconds(page: Page): Promise<number> {
  const text = (await page.getByRole('timer').textContent())?.trim() ?? '';
  const parts = text.split(':').map(Number);
  expect(parts.length >= 2 && parts.every((n) => Number.isInteger(n)), `countdown "${text}"`).toBeTruthy();
  return parts.reduce((acc, n) => acc * 60 + n, 0);
}
