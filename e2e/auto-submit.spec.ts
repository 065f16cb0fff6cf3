// When the countdown reaches zero the app submits on its own and shows the result; a round that
// publishes its answers at once shows the correct ones in the review.
import { expect, test } from '@playwright/test';
import {
  answerCurrent,
  enter,
  ORGANISER_EMAIL,
  roundCard,
  signIn,
  signUp,
  getAttempt,
  uniqueId,
  vi,
} from './utils.ts';

const TIME_LIMIT_SEC = 12;
const ROUND_TITLE = 'Vòng nhanh / Quick round';

test('at zero the attempt is submitted by the app and the answers are shown', async ({ page, request }) => {
  // The organiser's quick round, through the API.
  const slug = uniqueId('quick');
  await signIn(request, ORGANISER_EMAIL);
  const { banks } = (await (await request.get('/api/banks')).json()) as {
    banks: { id: number; name: string; questionCount: number }[];
  };
  const bank = banks.find((b) => b.questionCount >= 3);
  expect(bank, 'a demo bank with questions').toBeDefined();
  const created = await request.post('/api/contests', {
    data: { slug, title: `Thi nhanh ${slug}`, rulesText: 'Bài tự nộp khi hết giờ.' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { contest } = (await created.json()) as { contest: { id: number } };
  const now = Date.now();
  const round = await request.post(`/api/contests/${contest.id}/rounds`, {
    data: {
      title: ROUND_TITLE,
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3_600_000).toISOString(),
      timeLimitSec: TIME_LIMIT_SEC,
      questionCount: 3,
      maxAttempts: 1,
      draw: [{ bankId: bank!.id, count: 3 }],
      showAnswers: 'immediately',
      showLeaderboard: 'immediately',
    },
  });
  expect(round.status(), await round.text()).toBe(201);
  const published = await request.post(`/api/contests/${contest.id}/publish`);
  expect(published.status(), await published.text()).toBe(200);

  // The participant: account and entry through the API, with the page's cookies.
  const name = `Vũ Hoàng Nam ${Date.now().toString(36)}`;
  await signUp(page.request, name);
  await enter(page.request, slug, { fullName: name });

  await page.goto(`/c/${slug}`);
  await roundCard(page, ROUND_TITLE).getByRole('button', { name: vi.start }).click();
  await expect(page).toHaveURL(/\/a\/\d+$/);
  const attemptId = Number(new URL(page.url()).pathname.split('/').pop());
  await answerCurrent(page, 0);

  // Nothing else is touched: the app submits by itself at 00:00 and shows the result.
  await expect(page.getByTestId('result-score')).toBeVisible({ timeout: (TIME_LIMIT_SEC + 10) * 1000 });
  await expect(page).toHaveURL(`/a/${attemptId}/result`);
  await expect(page.getByTestId('result-score')).toHaveText(/^\d+\/3$/);
  // Submitted by the app in time (within the grace period), not finalised late by the server.
  const final = await getAttempt(page.request, attemptId);
  expect(final.status).toBe('submitted');
  expect(final.answers).toHaveLength(1);
  // Now the key may be shown, and it looks like what participant-journey.spec.ts checks is absent
  // while an attempt is open.
  const raw = await (await page.request.get(`/api/attempts/${attemptId}`)).text();
  expect(raw).toContain('"correct":');
  expect(raw).toContain('correctOptionIds');
  await expect(page.getByText('Đã hết giờ; các câu trả lời đã lưu được dùng để chấm điểm.')).toHaveCount(0);

  // The review shows every question with its correct answer, and the one answered as chosen.
  const items = page.getByTestId('review-item');
  await expect(items).toHaveCount(3);
  for (const item of await items.all()) {
    await expect(item.getByText(vi.correctAnswer, { exact: true }).first()).toBeVisible();
  }
  await expect(page.getByText('bạn chọn', { exact: true })).toHaveCount(1);
  await expect(page.getByText('Không trả lời.')).toHaveCount(2);
});
