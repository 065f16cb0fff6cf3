// A choice made without a connection is kept, shown as not yet saved, and delivered on its own
// once the connection is back.
import { expect, test } from '@playwright/test';
import { currentQuestion, demoParticipant, getAttempt, startAttempt } from './utils.ts';

test('a choice made offline is sent when the connection returns', async ({ page, context }) => {
  const { week1 } = await demoParticipant(page, `Đỗ Minh Khoa ${Date.now().toString(36)}`);
  const attempt = await startAttempt(page.request, week1.id);
  await page.goto(`/a/${attempt.id}`);

  const question = currentQuestion(page);
  await expect(question).toBeVisible();
  const saveState = question.getByTestId('save-state');
  await expect(saveState).toHaveAttribute('data-state', 'unanswered');
  await expect(page.getByTestId('offline-banner')).toBeHidden();

  await context.setOffline(true);
  await expect(page.getByTestId('offline-banner')).toBeVisible();

  const option = question.getByTestId('option').nth(1);
  const optionId = await option.inputValue();
  const questionId = Number(await question.getAttribute('data-question-id'));
  await option.check();
  await expect(option).toBeChecked();
  await expect(saveState).toHaveAttribute('data-state', 'failed');
  await expect(saveState).toContainText('Chưa lưu được — Đang chờ kết nối');
  await expect(saveState.getByTestId('retry-save')).toBeVisible();
  await expect(page.getByTestId('offline-banner')).toContainText('Câu trả lời đang chờ gửi: 1');

  await context.setOffline(false);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
  await expect(saveState).toHaveAttribute('data-state', 'saved');
  await expect(saveState).toHaveText('Đã lưu ✓');

  const onServer = await getAttempt(page.request, attempt.id);
  expect(onServer.answers).toEqual([{ questionId, optionIds: [optionId] }]);
});
