// The judging panel's whole path through the UI. Set-up goes through the API: an organiser makes
// a contest with a 20-second round and two prizes, two participants take it. Once it closes the
// judge, in the browser at desktop size, finalises, reopens with a reason, voids one attempt,
// finalises again, downloads the XLSX (one ranked participant left), publishes; and the public
// results page, opened signed out on a phone, names the winner.
import { stat } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { expect, request as apiRequest, test, type APIRequestContext, type Page } from '@playwright/test';
import {
  DEMO_PASSWORD,
  ORGANISER_EMAIL,
  enter,
  signIn,
  signUp,
  startAttempt,
  uniqueEmail,
  uniqueId,
} from './utils.ts';

const JUDGE_EMAIL = 'judge@quizarena.local';
/** How far ahead the round closes: long enough for two participants to take it via the API. */
const CLOSES_IN_MS = 20_000;

test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });
test.setTimeout(120_000);

async function json<T>(res: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(res.ok(), `${what}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return (await res.json()) as T;
}

/** A published contest with one round closing in CLOSES_IN_MS, drawing 3 demo questions. */
async function createContest(organiser: APIRequestContext) {
  await signIn(organiser, ORGANISER_EMAIL);
  const { banks } = await json<{ banks: { id: number; questionCount: number }[] }>(
    await organiser.get('/api/banks'),
    'banks',
  );
  const bank = banks.find((b) => b.questionCount >= 3);
  expect(bank, 'a bank with 3 questions or more').toBeDefined();
  const slug = uniqueId('cham-thi');
  const { contest } = await json<{ contest: { id: number; slug: string } }>(
    await organiser.post('/api/contests', {
      data: {
        slug,
        title: `Chấm thi e2e ${slug}`,
        rulesText: 'Mỗi người dự thi được làm bài một lần.',
        timeZone: 'Asia/Ho_Chi_Minh',
        registrationFields: [
          { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
        ],
      },
    }),
    'contest',
  );
  const now = Date.now();
  const { round } = await json<{ round: { id: number } }>(
    await organiser.post(`/api/contests/${contest.id}/rounds`, {
      data: {
        title: 'Tuần chấm thi / Judging week',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + CLOSES_IN_MS).toISOString(),
        timeLimitSec: 60,
        questionCount: 3,
        maxAttempts: 1,
        draw: [{ bankId: bank!.id, count: 3 }],
        showAnswers: 'after_close',
        showLeaderboard: 'immediately',
        prizeBands: [
          { name: 'Giải Nhất', count: 1 },
          { name: 'Giải Nhì', count: 1 },
        ],
      },
    }),
    'round',
  );
  await json(await organiser.post(`/api/contests/${contest.id}/publish`), 'publish contest');
  return { slug: contest.slug, roundId: round.id, closesAt: now + CLOSES_IN_MS };
}

/** Signs up, registers and takes the round: the first option of every question, then submit. */
async function takeRound(participant: APIRequestContext, slug: string, roundId: number, name: string) {
  await signUp(participant, name, uniqueEmail('judged'));
  await enter(participant, slug, { fullName: name });
  const attempt = await startAttempt(participant, roundId);
  for (const q of attempt.questions) {
    await json(
      await participant.put(`/api/attempts/${attempt.id}/answers/${q.id}`, {
        data: { optionIds: [q.options[0]!.id] },
      }),
      'save answer',
    );
  }
  await json(await participant.post(`/api/attempts/${attempt.id}/submit`, { data: {} }), 'submit');
  return attempt.id;
}

async function finalise(page: Page) {
  // Enabled once the round has closed (and the server's grace has passed).
  await expect(page.getByTestId('finalize')).toBeEnabled({ timeout: CLOSES_IN_MS + 15_000 });
  await page.getByTestId('finalize').click();
  await expect(page.getByTestId('results-status')).toHaveAttribute('data-status', 'finalized');
  await expect(page.getByTestId('snapshot-hash')).toHaveText(/^[0-9a-f]{64}$/);
}

test('a judge finalises, reopens, voids, finalises again, exports and publishes a round', async ({
  page,
  browser,
  baseURL,
}) => {
  const organiser = await apiRequest.newContext({ baseURL });
  const alice = await apiRequest.newContext({ baseURL });
  const bob = await apiRequest.newContext({ baseURL });
  const suffix = Date.now().toString(36);
  const aliceName = `Nguyễn Thị Voided ${suffix}`;
  const bobName = `Lê Văn Winner ${suffix}`;

  const { slug, roundId } =
    await test.step('organiser sets up a short round; two participants take it', async () => {
      const made = await createContest(organiser);
      await takeRound(alice, made.slug, made.roundId, aliceName);
      await takeRound(bob, made.slug, made.roundId, bobName);
      return made;
    });
  await Promise.all([organiser.dispose(), alice.dispose(), bob.dispose()]);

  await test.step('the judge opens the round from the judging index', async () => {
    await signIn(page.request, JUDGE_EMAIL, DEMO_PASSWORD);
    await page.goto('/');
    await page.getByTestId('nav-judging').click();
    await expect(page.getByRole('heading', { level: 1, name: 'Chấm thi' })).toBeVisible();
    await page
      .locator(`[data-testid=judge-round][data-round-id="${roundId}"]`)
      .getByTestId('judge-round-link')
      .click();
    await expect(page).toHaveURL(`/judge/r/${roundId}`);
    await expect(page.getByTestId('results-status')).toHaveAttribute('data-status', 'open');
    await expect(page.getByTestId('results-row')).toHaveCount(2);
  });

  await test.step('finalise: ranks, prizes and the rule between the two rows', async () => {
    await finalise(page);
    const rows = page.getByTestId('results-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0).getByTestId('decided-by')).toHaveCount(0);
    await expect(rows.nth(1).getByTestId('decided-by')).toHaveAttribute(
      'data-decided-by',
      /^(score|prediction|duration|submitted|tie)$/,
    );
    await expect(page.getByTestId('download-xlsx')).toHaveAttribute(
      'href',
      `/api/rounds/${roundId}/results.xlsx`,
    );
  });

  await test.step('reopen with a reason', async () => {
    await page.getByTestId('reopen').click();
    const dialog = page.getByRole('dialog', { name: 'Mở lại kết quả?' });
    await expect(dialog).toBeVisible();
    // An empty reason is refused in the dialog itself.
    await dialog.getByTestId('confirm').click();
    await expect(dialog.getByTestId('reason-input')).toHaveAttribute('aria-invalid', 'true');
    await dialog.getByTestId('reason-input').fill('Kiểm tra lại một lượt thi đáng ngờ');
    await dialog.getByTestId('confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('results-status')).toHaveAttribute('data-status', 'open');
  });

  await test.step("void the first participant's attempt from its audit page", async () => {
    await page
      .getByTestId('results-row')
      .filter({ hasText: aliceName })
      .getByRole('link', { name: aliceName })
      .click();
    await expect(page).toHaveURL(/\/judge\/a\/\d+$/);
    await expect(page.getByTestId('participant-name')).toHaveText(aliceName);
    await expect(page.getByTestId('audit-question')).toHaveCount(3);
    await page.getByTestId('void').click();
    const dialog = page.getByRole('dialog', { name: 'Hủy lượt thi này?' });
    await dialog.getByLabel('Lý do').fill('Một người dùng hai tài khoản');
    await dialog.getByTestId('confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('attempt-status')).toHaveText('Đã hủy');
    await expect(page.getByTestId('voided')).toContainText('Một người dùng hai tài khoản');
  });

  await test.step('finalise again: one participant left', async () => {
    await page.goto(`/judge/r/${roundId}`);
    await expect(page.getByTestId('results-row')).toHaveCount(1);
    await expect(page.getByTestId('results-row')).toContainText(bobName);
    await finalise(page);
    await expect(page.getByTestId('results-row')).toContainText('Giải Nhất');
  });

  await test.step('download the XLSX: one row in the Ranking sheet', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-xlsx').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    expect((await stat(file)).size).toBeGreaterThan(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const ranking = workbook.getWorksheet('Ranking');
    expect(ranking, 'sheet Ranking').toBeDefined();
    // A header row, then one row per ranked participant.
    expect(ranking!.actualRowCount - 1).toBe(1);
    expect(JSON.stringify(ranking!.getRow(2).values)).toContain(bobName);
  });

  await test.step('publish', async () => {
    await page.getByTestId('publish-results').click();
    const dialog = page.getByRole('dialog', { name: 'Công bố kết quả?' });
    await dialog.getByTestId('confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('results-status')).toHaveAttribute('data-status', 'published');
  });

  await test.step('the public results page names the winner, signed out, on a phone', async () => {
    const visitor = await browser.newContext({
      baseURL,
      viewport: { width: 390, height: 844 },
      locale: 'vi-VN',
    });
    const phone = await visitor.newPage();
    await phone.goto(`/c/${slug}`);
    await phone.getByTestId('public-results-link').click();
    await expect(phone).toHaveURL(`/r/${roundId}/results`);
    await expect(phone.getByRole('heading', { level: 1, name: 'Kết quả chung cuộc' })).toBeVisible();
    const winner = phone.getByTestId('winner-row');
    await expect(winner).toHaveCount(1);
    await expect(winner).toContainText(bobName);
    await expect(phone.getByTestId('pub-hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(phone.getByText(aliceName)).toHaveCount(0);
    await visitor.close();
  });
});
