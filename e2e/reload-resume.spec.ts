// Reloading mid-attempt loses nothing: the saved choices come back selected, the deadline is the
// server's (unchanged), and the countdown carries on instead of starting over.
import { expect, test } from '@playwright/test';
import type { Attempt } from './utils.ts';
import {
  answerCurrent,
  countdownSeconds,
  currentQuestion,
  DEMO_SLUG,
  demoParticipant,
  navCell,
  nextQuestion,
  roundCard,
  vi,
  WEEK1_TITLE,
} from './utils.ts';

test('a reload keeps the answers, the deadline and the running countdown', async ({ page }) => {
  await demoParticipant(page, `Phạm Thu Hà ${Date.now().toString(36)}`);
  await page.goto(`/c/${DEMO_SLUG}`);

  const startResponse = page.waitForResponse(
    (r) => r.request().method() === 'POST' && /\/api\/rounds\/\d+\/attempts$/.test(r.url()),
  );
  await roundCard(page, WEEK1_TITLE).getByRole('button', { name: vi.start }).click();
  const started = ((await (await startResponse).json()) as { attempt: Attempt }).attempt;
  await expect(page).toHaveURL(`/a/${started.id}`);
  const fullSeconds = 15 * 60;
  expect(Date.parse(started.deadline) - Date.parse(started.startedAt)).toBe(fullSeconds * 1000);

  const chosen: { questionId: string; optionId: string }[] = [];
  for (let i = 0; i < 5; i++) {
    chosen.push(await answerCurrent(page, (i + 1) % 3));
    await nextQuestion(page);
  }
  // Five quick answers can take under a second, with the countdown still at 15:00: wait until it
  // has moved, so that "carries on rather than starting over" can be told apart below.
  await expect.poll(() => countdownSeconds(page)).toBeLessThan(fullSeconds);
  const before = await countdownSeconds(page);

  const reloaded = page.waitForResponse(
    (r) => r.request().method() === 'GET' && r.url().endsWith(`/api/attempts/${started.id}`),
  );
  await page.reload();
  const resumed = ((await (await reloaded).json()) as { attempt: Attempt }).attempt;

  expect(resumed.deadline).toBe(started.deadline);
  expect(
    resumed.answers.map((a) => ({ questionId: String(a.questionId), optionId: a.optionIds[0] })),
  ).toEqual(expect.arrayContaining(chosen));
  expect(resumed.answers).toHaveLength(5);

  // The page opens on the first unanswered question; the five before it are answered.
  await expect(currentQuestion(page)).toContainText(`Câu 6/${resumed.questions.length}`);
  for (let n = 1; n <= 5; n++) {
    const { questionId, optionId } = chosen[n - 1];
    await navCell(page, n).click();
    await expect(currentQuestion(page)).toHaveAttribute('data-question-id', questionId);
    await expect(currentQuestion(page).locator(`[data-testid="option"][value="${optionId}"]`)).toBeChecked();
    await expect(currentQuestion(page).getByTestId('option').and(page.locator(':checked'))).toHaveCount(1);
    await expect(currentQuestion(page).getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  }

  // Still running down from where it was, not back at 15:00.
  await expect.poll(() => countdownSeconds(page)).toBeLessThan(before);
  expect(await countdownSeconds(page)).toBeGreaterThan(fullSeconds - 120);
});
