// A newcomer's whole path through the UI: sign up, register for the demo contest, take Week 1,
// submit, see the result and their place on the leaderboard; and the browser never holds an
// answer key while the attempt is open.
import { expect, test, type Page, type Response } from '@playwright/test';
import {
  answerCurrent,
  currentQuestion,
  DEMO_SLUG,
  demoParticipant,
  navCell,
  nextQuestion,
  roundCard,
  uniqueEmail,
  vi,
  WEEK1_TITLE,
} from './utils.ts';

/** Keeps the body of every /api response while recording; `stop()` returns them all. */
function recordApiBodies(page: Page) {
  const pending: Promise<{ url: string; body: string }>[] = [];
  const onResponse = (res: Response) => {
    if (!new URL(res.url()).pathname.startsWith('/api/')) return;
    pending.push(
      res
        .text()
        // An unreadable body fails the check below rather than passing unseen.
        .catch((err: unknown) => `<unreadable: ${String(err)}>`)
        .then((body) => ({ url: `${res.request().method()} ${res.url()}`, body })),
    );
  };
  page.on('response', onResponse);
  return {
    async stop() {
      page.off('response', onResponse);
      return Promise.all(pending);
    },
  };
}

test('a newcomer signs up, registers, takes Week 1 and finds their rank', async ({ page }) => {
  const name = `Trần Thị Bình ${Date.now().toString(36)}`;
  const email = uniqueEmail('journey');

  await test.step('sign up', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Đăng ký', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Tạo tài khoản' })).toBeVisible();
    await page.getByLabel('Họ và tên').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Mật khẩu').fill('mat-khau-rat-dai');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect(page.getByTestId('user-name')).toHaveText(name);
  });

  await test.step('open the demo contest and register', async () => {
    await page
      .getByTestId('contest-card')
      .getByRole('link', { name: /Tìm hiểu về học tập/ })
      .click();
    await expect(page).toHaveURL(`/c/${DEMO_SLUG}`);
    await page.getByRole('link', { name: 'Đăng ký dự thi' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Đăng ký dự thi' })).toBeVisible();
    // The full name comes from the account.
    await expect(page.getByLabel('Họ và tên / Full name')).toHaveValue(name);
    await page.getByLabel('Ngày sinh / Date of birth').fill('2005-09-02');
    await page.getByLabel('Số điện thoại / Phone').fill('0987 654 321');
    await page.getByLabel('Đơn vị / Unit').selectOption('NA-THPT-PBC');
    await page.getByLabel('Bảng thi / Division').selectOption('A');
    await page.getByRole('button', { name: 'Lưu đăng ký' }).click();
    await expect(page).toHaveURL(`/c/${DEMO_SLUG}`);
    await expect(page.getByTestId('entered')).toContainText(name);
  });

  const recording = recordApiBodies(page);
  const total = 20; // Week 1 draws 20 questions

  await test.step('start Week 1', async () => {
    const week1 = roundCard(page, WEEK1_TITLE);
    const started = page.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/api\/rounds\/\d+\/attempts$/.test(r.url()),
    );
    await week1.getByRole('button', { name: vi.start }).click();
    expect((await started).status()).toBe(201);
    await expect(page).toHaveURL(/\/a\/\d+$/);
    await expect(page.getByRole('heading', { level: 1, name: WEEK1_TITLE })).toBeVisible();
    await expect(page.getByTestId('nav-cell')).toHaveCount(total);
  });

  await test.step('answer every question, each one saved before moving on', async () => {
    for (let i = 1; i <= total; i++) {
      await expect(currentQuestion(page)).toContainText(`Câu ${i}/${total}`);
      await answerCurrent(page, i % 3);
      await expect(navCell(page, i)).toHaveAccessibleName(`Câu ${i}, đã trả lời`);
      if (i < total) await nextQuestion(page);
    }
    await expect(page.getByText(`Đã trả lời ${total}/${total}`)).toBeVisible();
  });

  await test.step('predict and submit', async () => {
    const prediction = page.getByTestId('prediction-input');
    await prediction.fill('1234');
    await prediction.press('Enter');
    await expect(page.getByTestId('prediction-state')).toHaveText('Đã lưu ✓');

    await page.getByRole('button', { name: vi.submit, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Nộp bài?' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Bạn đã trả lời tất cả các câu hỏi.');
    await expect(dialog.getByTestId('unanswered-list')).toHaveCount(0);

    // Everything the browser received while the attempt was open, up to the final click.
    const bodies = await recording.stop();
    expect(bodies.length).toBeGreaterThan(total);
    for (const { url, body } of bodies) {
      expect(body, `body of ${url}`).not.toMatch(/^<unreadable/);
      expect(body, `answer key in ${url}`).not.toContain('"correct":');
      expect(body, `answer key in ${url}`).not.toContain('correctOptionIds');
    }

    await dialog.getByRole('button', { name: vi.confirmSubmit }).click();
  });

  await test.step('see the result', async () => {
    await expect(page).toHaveURL(/\/a\/\d+\/result$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Kết quả của bạn' })).toBeVisible();
    await expect(page.getByTestId('result-score')).toHaveText(/^\d+\/20$/);
    await expect(page.getByTestId('my-rank')).toHaveText(/^\d+\/\d+$/);
    // Week 1 shows its answers only after it closes.
    await expect(page.getByText('Đáp án sẽ được công bố sau khi tuần thi kết thúc.')).toBeVisible();
  });

  await test.step('find their own row on the leaderboard', async () => {
    await page.getByRole('button', { name: vi.leaderboard }).click();
    await expect(page).toHaveURL(/\/r\/\d+\/leaderboard$/);
    await expect(page.getByRole('heading', { level: 1, name: vi.leaderboard })).toBeVisible();
    const mine = page.locator('[data-testid="leaderboard-row"].me');
    await expect(mine).toHaveCount(1);
    await expect(mine).toContainText(name);
    await expect(mine).toContainText('Bạn');
    await expect(mine.getByRole('cell').first()).toHaveText(/^\d+$/);
    const rank = (await mine.getByRole('cell').first().textContent())?.trim();
    await expect(page.getByTestId('my-rank')).toHaveText(new RegExp(`^${rank}/\\d+$`));
  });
});

test('the confirmation lists unanswered questions by number', async ({ page }) => {
  await demoParticipant(page, `Lê Văn Cường ${Date.now().toString(36)}`);
  await page.goto(`/c/${DEMO_SLUG}`);
  await roundCard(page, WEEK1_TITLE).getByRole('button', { name: vi.start }).click();
  await expect(page).toHaveURL(/\/a\/\d+$/);
  const total = 20;
  await expect(page.getByTestId('nav-cell')).toHaveCount(total);

  // Leave questions 4 and 11 open.
  for (let i = 1; i <= total; i++) {
    if (i !== 4 && i !== 11) await answerCurrent(page, 0);
    if (i < total) await nextQuestion(page);
  }
  await page.getByTestId('prediction-input').fill('50');
  await page.getByTestId('prediction-input').press('Enter');
  await expect(page.getByTestId('prediction-state')).toHaveText('Đã lưu ✓');

  await page.getByRole('button', { name: vi.submit, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Nộp bài?' });
  await expect(dialog.getByTestId('unanswered-list')).toHaveText('Chưa trả lời: câu 4, 11.');

  // Back to the attempt, answer question 4: only 11 is left.
  await dialog.getByRole('button', { name: vi.keepAnswering }).click();
  await expect(dialog).toBeHidden();
  await navCell(page, 4).click();
  await expect(currentQuestion(page)).toContainText(`Câu 4/${total}`);
  await answerCurrent(page, 1);
  await page.getByRole('button', { name: vi.submit, exact: true }).click();
  await expect(dialog.getByTestId('unanswered-list')).toHaveText('Chưa trả lời: câu 11.');

  await dialog.getByRole('button', { name: vi.confirmSubmit }).click();
  await expect(page.getByTestId('result-score')).toHaveText(/^\d+\/20$/);
  await expect(page.getByTestId('result-correct')).toHaveText(/^\d+\/20$/);
  const correct = Number((await page.getByTestId('result-correct').textContent())?.split('/')[0]);
  expect(correct).toBeLessThanOrEqual(19);
});
