// An organiser's whole path through the authoring pages, then a participant's: a new bank, a GIFT
// file imported (the preview reports an item without a right answer and an essay it skips; the
// organiser fixes the item in place), a contest built with a registration field and its rules, a
// round scheduled in the contest's time zone drawing every imported question, the publish
// checklist, and publication. A newcomer on a phone then finds the contest on the home page,
// registers and takes the round.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  answerCurrent,
  currentQuestion,
  nextQuestion,
  ORGANISER_EMAIL,
  signIn,
  uniqueId,
  vi,
} from './utils.ts';

const GIFT_FILE = path.join(import.meta.dirname, 'fixtures', 'organiser-import.gift');
const ZONE = 'Asia/Ho_Chi_Minh';

/** "2026-11-27T08:05": the wall time of `t` in the contest's zone, as a datetime-local input takes it. */
function wallTime(t: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

test('an organiser imports GIFT, fixes an item, builds and publishes a contest; a participant takes it', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const desk = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  const page = await desk.newPage();
  await signIn(page.request, ORGANISER_EMAIL);
  const bankName = uniqueId('Ngân hàng GIFT');
  const title = `Cuộc thi e2e ${uniqueId('tuyen-ngon')}`;
  let bankId = '';

  await test.step('create a bank', async () => {
    await page.goto('/organise');
    await page.getByTestId('all-banks').click();
    await expect(page).toHaveURL('/organise/banks');
    await page.getByTestId('new-bank-name').fill(bankName);
    await page.getByTestId('create-bank').click();
    // A new bank opens at once, empty.
    await expect(page).toHaveURL(/\/organise\/banks\/\d+$/);
    await expect(page.getByTestId('bank-title')).toHaveText(bankName);
    bankId = /\/organise\/banks\/(\d+)$/.exec(page.url())![1]!;
    await expect(page.getByTestId('bank-empty')).toBeVisible();
  });

  await test.step('import the GIFT file: preview with every problem', async () => {
    await page.getByTestId('import-link').click();
    await expect(page).toHaveURL(`/organise/banks/${bankId}/import`);
    await page.getByTestId('import-file').setInputFiles(GIFT_FILE);
    await expect(page.getByTestId('import-format')).toHaveValue('gift');
    await page.getByTestId('import-preview').click();
    // The server parses and checks the file: seconds on a loaded CI machine.
    await expect(page.getByTestId('import-review')).toBeVisible({ timeout: 20_000 });
    const rows = page.getByTestId('import-row');
    await expect(rows).toHaveCount(5);
    // Line 20: a multiple-choice question without a right answer; line 26: an essay, skipped.
    const broken = rows.filter({ hasText: 'Bác Hồ ra đi tìm đường cứu nước năm nào?' });
    await expect(broken).toContainText('dòng 20');
    const essay = rows.filter({ hasText: 'dòng 26' });
    await expect(essay).toBeVisible();
    await expect(essay.getByTestId('include-item')).toBeDisabled();
    await expect(essay.getByTestId('include-item')).not.toBeChecked();
    // While the broken item is included, nothing can be imported.
    await expect(page.getByTestId('confirm-import')).toBeDisabled();

    await test.step('fix the broken item in place', async () => {
      await broken.getByTestId('edit-item').click();
      const editor = page.getByTestId('inline-editor');
      await expect(editor).toBeVisible();
      await editor.getByRole('radio', { name: 'Một đáp án' }).check();
      await editor.getByTestId('option-correct').first().check();
      await editor.getByTestId('apply-edit').click();
      await expect(page.getByTestId('inline-editor')).toHaveCount(0);
    });

    const confirm = page.getByTestId('confirm-import');
    await expect(confirm).toBeEnabled();
    await expect(confirm).toContainText('4');
    await confirm.click();
    await expect(page.getByTestId('import-done')).toContainText('4');
  });

  await test.step('the bank lists the four questions, tagged with the GIFT category', async () => {
    await page.getByTestId('back-to-bank').click();
    await expect(page.getByTestId('question-row')).toHaveCount(4);
    await expect(page.getByTestId('questions-table')).toContainText('Cách mạng tháng Tám');
    await expect(page.getByTestId('questions-table')).toContainText(
      'Bác Hồ ra đi tìm đường cứu nước năm nào?',
    );
  });

  let contestUrl = '';
  await test.step('build a contest', async () => {
    await page.goto('/organise/contests/new');
    await page.getByTestId('contest-title').fill(title);
    // The address is suggested from the title, without diacritics.
    await expect(page.getByTestId('contest-slug')).toHaveValue(/^cuoc-thi-e2e-tuyen-ngon/);
    await page
      .getByTestId('contest-rules')
      .fill('Mỗi người dự thi được làm bài **hai lần**; lần cao điểm hơn được tính.');
    await expect(page.getByTestId('contest-rules-preview').locator('strong')).toHaveText('hai lần');
    await page
      .getByTestId('contest-description')
      .fill('Tìm hiểu về Cách mạng tháng Tám và Tuyên ngôn Độc lập.');
    await page.getByTestId('field-toggle-phone').check();
    await page.getByTestId('field-required-phone').check();
    await page.getByTestId('save-contest').click();
    await expect(page).toHaveURL(/\/organise\/contests\/\d+\?created=1$/);
    contestUrl = new URL(page.url()).pathname;
    // Not ready: the contest has no round yet.
    await expect(
      page.locator('[data-testid="checklist-problem"][data-code="NO_ROUNDS"]').first(),
    ).toBeVisible();
  });

  await test.step('add a round open now, drawing the four questions', async () => {
    await page.getByTestId('add-round').click();
    await expect(page).toHaveURL(/\/organise\/contests\/\d+\/rounds\/new$/);
    await page.getByTestId('round-title').fill('Vòng 1: Tuyên ngôn Độc lập');
    const now = Date.now();
    await page.getByTestId('round-opens').fill(wallTime(now - 10 * 60_000));
    await page.getByTestId('round-closes').fill(wallTime(now + 2 * 3_600_000));
    await expect(page.getByTestId('round-zone')).toContainText(ZONE);
    await page.getByTestId('round-question-count').fill('4');
    await page.getByTestId('round-limit-minutes').fill('10');
    const rules = page.getByTestId('draw-rule');
    // One rule over the new bank for all four questions.
    while ((await rules.count()) > 1) await rules.last().getByTestId('remove-rule').click();
    await rules
      .first()
      .getByTestId('rule-bank')
      .selectOption({ label: `${bankName} (4 câu hỏi)` });
    await rules.first().getByTestId('rule-count').fill('4');
    await expect(rules.first().getByTestId('draw-rule-count')).toContainText('4 câu phù hợp');
    // Asking for more than the bank has is refused before saving.
    await rules.first().getByTestId('rule-count').fill('5');
    await page.getByTestId('round-question-count').fill('5');
    await expect(page.getByTestId('round-save-blocked')).toBeVisible();
    await rules.first().getByTestId('rule-count').fill('4');
    await page.getByTestId('round-question-count').fill('4');
    await expect(page.getByTestId('round-save-blocked')).toHaveCount(0);
    await page.getByTestId('save-round').click();
    await expect(page).toHaveURL(/\/organise\/rounds\/\d+\?created=1$/);
  });

  await test.step('publish through the checklist', async () => {
    await page.goto(contestUrl);
    await expect(page.getByTestId('round-row')).toHaveCount(1);
    await expect(page.getByTestId('checklist-ready')).toBeVisible();
    await page.getByTestId('publish-contest').click();
    const dialog = page.getByTestId('publish-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('publish-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('publish-section')).toContainText('Đã công bố');
    await expect(page.getByTestId('contest-slug')).toBeDisabled();
  });
  await desk.close();

  await test.step('a newcomer on a phone finds the contest, registers and takes the round', async () => {
    const phone = await browser.newContext({
      baseURL,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'vi-VN',
    });
    const p = await phone.newPage();
    await p.request.post('/api/auth/register', {
      data: {
        email: `${uniqueId('nguoi-thi')}@e2e.quizarena.example`,
        password: 'mat-khau-rat-dai',
        name: 'Phạm Thị Lan',
      },
    });
    await p.goto('/');
    await p.getByTestId('contest-card').getByRole('link', { name: title }).click();
    // The rules as formatted by the organiser.
    await expect(p.getByTestId('contest-rules').locator('strong')).toHaveText('hai lần');
    await p.getByRole('link', { name: 'Đăng ký dự thi' }).click();
    await p.getByLabel('Số điện thoại / Phone').fill('0912 345 678');
    await p.getByRole('button', { name: 'Lưu đăng ký' }).click();
    await p.getByRole('button', { name: vi.start }).click();
    await expect(p).toHaveURL(/\/a\/\d+$/);
    for (let i = 1; i <= 4; i++) {
      await expect(currentQuestion(p)).toContainText(`Câu ${i}/4`);
      await answerCurrent(p, 0);
      if (i < 4) await nextQuestion(p);
    }
    // The round keeps the editor's default prediction question.
    const prediction = p.getByTestId('prediction-input');
    await prediction.fill('12');
    await prediction.press('Enter');
    await expect(p.getByTestId('prediction-state')).toHaveText('Đã lưu ✓');
    await p.getByRole('button', { name: vi.submit, exact: true }).click();
    await p.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: vi.confirmSubmit }).click();
    await expect(p).toHaveURL(/\/a\/\d+\/result$/);
    await expect(p.getByTestId('result-score')).toHaveText(/^\d+\/4$/);
    await phone.close();
  });
});
