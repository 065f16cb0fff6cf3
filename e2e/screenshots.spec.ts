// Full-page screenshots of the participant's screens on a phone and on a laptop, for a person to
// look at (layout, overflow, contrast, untranslated text). It asserts only what it needs to reach
// each screen; the images go to e2e/.tmp/screenshots/ (ignored by git).
// Run alone with: npm test --workspace e2e -- --grep @screenshots
import path from 'node:path';
import { devices, expect, test, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import {
  DEMO_SLUG,
  demoEntryFields,
  enter,
  ORGANISER_EMAIL,
  signIn,
  roundByTitle,
  signUp,
  startAttempt,
  WEEK1_TITLE,
  type Attempt,
} from './utils.ts';

const OUT = path.join(import.meta.dirname, '.tmp', 'screenshots');

const viewports: { name: string; options: BrowserContextOptions }[] = [
  { name: 'phone-390x844', options: { ...devices['Pixel 7'], viewport: { width: 390, height: 844 } } },
  { name: 'desktop-1280x800', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];

/**
 * One CSS pixel per image pixel, so phone pictures are 390 wide. `fullPage: false` for modal
 * dialogs: a full-page capture of a scrolled page draws the sticky status bar mid-page.
 */
async function shoot(page: Page, viewport: string, screen: string, fullPage = true) {
  // Let web fonts and the last layout settle before the picture.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({
    path: path.join(OUT, `${viewport}-${screen}.png`),
    fullPage,
    animations: 'disabled',
    scale: 'css',
  });
}

async function screens(browser: Browser, viewport: string, options: BrowserContextOptions, baseURL: string) {
  const context = await browser.newContext({ ...options, baseURL, locale: 'vi-VN' });
  const page = await context.newPage();
  try {
    const name = `Nguyễn Thị Minh Khai ${Date.now().toString(36)}`;
    await signUp(page.request, name);

    await page.goto('/');
    await expect(page.getByTestId('contest-card').first()).toBeVisible();
    await shoot(page, viewport, '1-contest-list');

    await page.goto(`/c/${DEMO_SLUG}/entry`);
    await expect(page.getByTestId('save-entry')).toBeVisible();
    await shoot(page, viewport, '2-registration-form');

    await enter(page.request, DEMO_SLUG, demoEntryFields(name));
    await page.goto(`/c/${DEMO_SLUG}`);
    await expect(page.getByTestId('entered')).toBeVisible();
    await expect(page.getByTestId('start')).toBeVisible();
    await shoot(page, viewport, '3-contest-page');

    const week1 = await roundByTitle(page.request, DEMO_SLUG, WEEK1_TITLE);
    const attempt: Attempt = await startAttempt(page.request, week1.id);
    // Two answers saved already, so the navigator shows both states.
    for (const q of attempt.questions.slice(0, 2)) {
      const res = await page.request.put(`/api/attempts/${attempt.id}/answers/${q.id}`, {
        data: { optionIds: [q.options[0]!.id] },
      });
      expect(res.ok()).toBeTruthy();
    }
    await page.goto(`/a/${attempt.id}`);
    await expect(page.getByTestId('question-stem')).toBeVisible();
    await shoot(page, viewport, '4-attempt');

    await page.getByTestId('prediction-input').fill('321');
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('unanswered-list')).toBeVisible();
    await shoot(page, viewport, '5-submit-dialog', false);
    await page.getByTestId('confirm-submit').click();

    await expect(page.getByTestId('result-score')).toBeVisible();
    await expect(page.getByTestId('my-rank')).toBeVisible();
    await shoot(page, viewport, '6-result');

    await page.getByTestId('leaderboard').click();
    await expect(page.locator('[data-testid="leaderboard-row"].me')).toBeVisible();
    await shoot(page, viewport, '7-leaderboard');
  } finally {
    await context.close();
  }
}

test('screenshots of every participant screen', { tag: '@screenshots' }, async ({ browser, baseURL }) => {
  test.slow();
  for (const { name, options } of viewports) {
    await test.step(name, () => screens(browser, name, options, baseURL!));
  }
});

/** Every organiser page at 1280x800 (and the editors at tablet width), on the demo content. */
test('screenshots of every organiser page', { tag: '@screenshots' }, async ({ browser, baseURL }) => {
  test.slow();
  for (const [viewport, size] of [
    ['desktop-1280x800', { width: 1280, height: 800 }],
    ['tablet-768x1024', { width: 768, height: 1024 }],
  ] as const) {
    const context = await browser.newContext({
      baseURL,
      viewport: size,
      deviceScaleFactor: 1,
      locale: 'vi-VN',
    });
    const page = await context.newPage();
    try {
      await signIn(page.request, ORGANISER_EMAIL);
      // The demo bank by name: other specs running alongside create banks of their own (empty
      // while they are being filled), so "the first bank" is not a fixed one.
      const { banks } = (await (await page.request.get('/api/banks')).json()) as {
        banks: { id: number; name: string }[];
      };
      const demoBank = banks.find((b) => b.name.startsWith('Ngân hàng câu hỏi tổng hợp'));
      expect(demoBank, 'the demo bank').toBeTruthy();
      const { contests } = (await (await page.request.get('/api/manage/contests')).json()) as {
        contests: { id: number; slug: string }[];
      };
      const contest = contests.find((c) => c.slug === DEMO_SLUG)!;
      const { rounds } = (await (await page.request.get(`/api/manage/contests/${contest.id}`)).json()) as {
        rounds: { id: number }[];
      };
      const bankId = demoBank!.id;
      const { questions } = (await (
        await page.request.get(`/api/banks/${bankId}/questions?limit=1`)
      ).json()) as {
        questions: { id: number }[];
      };

      const pages: [string, string, string][] = [
        ['o1-organise', '/organise', 'org-banks'],
        ['o2-banks', '/organise/banks', 'banks-table'],
        ['o3-bank', `/organise/banks/${bankId}`, 'questions-table'],
        ['o4-question-editor', `/organise/questions/${questions[0]!.id}`, 'phone-preview'],
        ['o5-new-question', `/organise/banks/${bankId}/new`, 'question-form'],
        ['o6-import', `/organise/banks/${bankId}/import`, 'import-choose'],
        ['o7-contests', '/organise/contests', 'contests-table'],
        ['o8-contest-editor', `/organise/contests/${contest.id}`, 'checklist-panel'],
        ['o9-new-contest', '/organise/contests/new', 'contest-title'],
        ['o10-round-editor', `/organise/rounds/${rounds[0]!.id}`, 'draw-section'],
        ['o11-new-round', `/organise/contests/${contest.id}/rounds/new`, 'round-title'],
        ['o12-dashboard', `/organise/contests/${contest.id}/dashboard`, 'participation-chart'],
      ];
      for (const [name, url, ready] of pages) {
        if (viewport !== 'desktop-1280x800' && !/editor|new|import|bank$/.test(name)) continue;
        await page.goto(url);
        await expect(page.getByTestId(ready).first()).toBeVisible();
        await shoot(page, viewport, name);
      }
    } finally {
      await context.close();
    }
  }
});
