// A question that participants have already seen is never changed under them: an organiser edits
// it in the browser, the editor warns that a new revision will be made, the bank then lists the new
// text, and the participant's finished attempt still shows the question exactly as it was asked.
// Set-up goes through the API (bank, contest, round, one finished attempt).
import { expect, request as apiRequest, test, type APIRequestContext } from '@playwright/test';
import { ORGANISER_EMAIL, enter, signIn, signUp, startAttempt, uniqueId } from './utils.ts';

test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });

async function json<T>(res: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(res.ok(), `${what}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return (await res.json()) as T;
}

const OLD_STEM = 'Năm 1911, Nguyễn Tất Thành rời bến cảng nào để ra đi tìm đường cứu nước?';
const NEW_STEM = 'Ngày 5/6/1911, người thanh niên Nguyễn Tất Thành rời bến cảng nào?';

test('editing an answered question makes a revision; the old attempt keeps the old text', async ({
  page,
  baseURL,
}) => {
  const organiser = await apiRequest.newContext({ baseURL });
  await signIn(organiser, ORGANISER_EMAIL);
  const { bank } = await json<{ bank: { id: number } }>(
    await organiser.post('/api/banks', { data: { name: uniqueId('Ngân hàng sửa câu hỏi') } }),
    'bank',
  );
  const { question } = await json<{ question: { id: number } }>(
    await organiser.post(`/api/banks/${bank.id}/questions`, {
      data: {
        type: 'single',
        stem: OLD_STEM,
        options: [
          { text: 'Bến Nhà Rồng', correct: true },
          { text: 'Cảng Hải Phòng', correct: false },
          { text: 'Cảng Đà Nẵng', correct: false },
        ],
        explanation: 'Ngày 5/6/1911, từ bến Nhà Rồng, Nguyễn Tất Thành ra đi tìm đường cứu nước.',
      },
    }),
    'question',
  );
  const slug = uniqueId('sua-cau-hoi');
  const { contest } = await json<{ contest: { id: number } }>(
    await organiser.post('/api/contests', {
      data: { slug, title: `Sửa câu hỏi ${slug}`, description: 'e2e', rulesText: 'Làm bài trung thực.' },
    }),
    'contest',
  );
  const now = Date.now();
  const { round } = await json<{ round: { id: number } }>(
    await organiser.post(`/api/contests/${contest.id}/rounds`, {
      data: {
        title: 'Vòng một câu',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
        timeLimitSec: 300,
        questionCount: 1,
        maxAttempts: 2,
        draw: [{ bankId: bank.id, count: 1 }],
        showAnswers: 'immediately',
        showLeaderboard: 'immediately',
      },
    }),
    'round',
  );
  await json(await organiser.post(`/api/contests/${contest.id}/publish`), 'publish');

  // A participant takes the round (through the API) and finishes it.
  await signUp(page.request, 'Lê Văn Tám');
  await enter(page.request, slug, { fullName: 'Lê Văn Tám' });
  const attempt = await startAttempt(page.request, round.id);
  const shown = attempt.questions[0]!;
  expect(shown.stem).toBe(OLD_STEM);
  await json(
    await page.request.put(`/api/attempts/${attempt.id}/answers/${shown.id}`, {
      data: { optionIds: [shown.options[0]!.id] },
    }),
    'answer',
  );
  await json(await page.request.post(`/api/attempts/${attempt.id}/submit`, { data: {} }), 'submit');

  // The organiser edits the question in the browser.
  const organiserPage = await page
    .context()
    .browser()!
    .newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(organiserPage.request, ORGANISER_EMAIL);
  await organiserPage.goto(`/organise/banks/${bank.id}`);
  await organiserPage.getByRole('link', { name: OLD_STEM }).click();
  await expect(organiserPage).toHaveURL(new RegExp(`/organise/questions/${question.id}$`));
  await expect(organiserPage.getByTestId('used-warning')).toBeVisible();
  const stem = organiserPage.getByTestId('stem-input');
  await stem.fill(NEW_STEM);
  // The phone preview follows the text as it is typed.
  await expect(organiserPage.getByTestId('phone-preview')).toContainText(NEW_STEM);
  // A stray click on the way out asks first; staying keeps the text.
  const asked = organiserPage.waitForEvent('dialog');
  void organiserPage.getByTestId('crumb-bank').click();
  const dialogShown = await asked;
  expect(dialogShown.type()).toBe('confirm');
  await dialogShown.dismiss();
  await expect(organiserPage).toHaveURL(new RegExp(`/organise/questions/${question.id}$`));
  await expect(stem).toHaveValue(NEW_STEM);
  await organiserPage.getByTestId('save-question').click();
  const dialog = organiserPage.getByTestId('revision-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('revision-confirm').click();
  // Saved as revision 2 under a new id; the history lists both.
  await expect(organiserPage).not.toHaveURL(new RegExp(`/organise/questions/${question.id}(\\?|$)`));
  await expect(organiserPage.getByTestId('revision-badge')).toContainText('2');
  await expect(organiserPage.getByTestId('history')).toContainText(OLD_STEM);

  // The bank lists the new text only (the old revision is superseded).
  await organiserPage.goto(`/organise/banks/${bank.id}`);
  await expect(organiserPage.getByTestId('question-row')).toHaveCount(1);
  await expect(organiserPage.getByTestId('questions-table')).toContainText(NEW_STEM);
  await expect(organiserPage.getByTestId('questions-table')).not.toContainText(OLD_STEM);
  await organiserPage.close();

  // The participant's result still shows the question as it was asked.
  await page.goto(`/a/${attempt.id}/result`);
  await expect(page.getByText(OLD_STEM)).toBeVisible();
  await expect(page.getByText(NEW_STEM)).toHaveCount(0);
  // A new attempt draws the current revision.
  const second = await startAttempt(page.request, round.id);
  expect(second.questions[0]!.stem).toBe(NEW_STEM);
  await organiser.dispose();
});
