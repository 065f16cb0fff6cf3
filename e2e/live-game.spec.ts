// A live, host-paced game from end to end, as in a hall: the organiser creates it from a bank in
// the UI and runs it from a 1920x1080 projector; three players, each on their own phone (browser
// context), join with the PIN and tap their answers; one of them reloads mid-game and comes back
// with the same nickname and score; the host's answer count, reveal, top 10 and podium agree with
// what each phone says. Screenshots of the projector and a phone go to e2e/.tmp/screenshots/
// (live-*.png) for a person to look at.
import path from 'node:path';
import {
  devices,
  expect,
  test,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test';
import { ORGANISER_EMAIL, signIn, uniqueId } from './utils.ts';

const OUT = path.join(import.meta.dirname, '.tmp', 'screenshots');
const QUESTION_TIME_SEC = 10;
const READING_TIME_SEC = 1;

/** Vietnamese texts of web/src/lib/i18n-live.ts (host) and i18n-live-play.ts (phones). */
const vi = {
  newGame: '+ Tạo trò chơi',
  createGame: 'Tạo trò chơi',
  bank: 'Ngân hàng câu hỏi',
  gameTitle: 'Tên trò chơi',
  questionTime: 'Thời gian mỗi câu (giây)',
  readingTime: 'Thời gian đọc câu hỏi (giây)',
  willHave: (n: number) => `Trò chơi sẽ có ${n} câu hỏi.`,
  hostPlayers: (n: number) => `${n} người chơi`,
  hostControls: 'Điều khiển trò chơi',
  start: /^Bắt đầu/,
  nextQuestion: /^Câu tiếp theo/,
  toPodium: /^Xem bục vinh quang/,
  questionOf: (n: number, total: number) => `Câu ${n}/${total}`,
  answered: (n: number, players: number) => `${n}/${players} người đã trả lời`,
  rightCount: (n: number, players: number) => `${n}/${players} người trả lời đúng`,
  votes: (n: number) => (n === 1 ? '1 lượt chọn' : `${n} lượt chọn`),
  correctMark: 'đáp án đúng',
  top: 'Top 10',
  podium: 'Bục vinh quang',
  place: (n: number) => `Hạng ${n}`,
  pin: 'Mã PIN',
  enter: 'Vào',
  nickname: 'Biệt danh',
  join: 'Tham gia',
  saved: 'Đã ghi nhận đáp án',
  right: 'Chính xác!',
  wrong: 'Chưa đúng',
  total: 'Tổng điểm',
  points: (score: string) => `${score} điểm`,
  option: (letter: string, text: string) => `Đáp án ${letter}: ${text}`,
} as const;

/** The bank made for the game: three single-choice questions, the right option at `right`. */
const QUESTIONS = [
  {
    stem: 'Thủ đô của nước Cộng hoà xã hội chủ nghĩa Việt Nam là thành phố nào?',
    options: ['Hà Nội', 'Huế', 'Đà Nẵng', 'TP. Hồ Chí Minh'],
    right: 0,
  },
  {
    stem: 'Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập tại Quảng trường Ba Đình vào ngày nào?',
    options: ['19/8/1945', '7/5/1954', '2/9/1945', '30/4/1975'],
    right: 2,
  },
  {
    stem: 'Con sông nào dài nhất chảy qua lãnh thổ Việt Nam?',
    options: ['Sông Hồng', 'Sông Mê Kông', 'Sông Đà', 'Sông Đồng Nai'],
    right: 1,
  },
] as const;

/**
 * Who gets which question right. Each question is answered in this order, one after the other,
 * and a right answer scores more the earlier it arrives: so Ngọc Lan (3 right) > Minh Khôi (2
 * right, each after hers) > Thu Hà (1 right, at most 1000), whatever the machine's speed.
 * Minh Khôi reloads after the first reveal.
 */
const PLAYERS = [
  { nickname: 'Ngọc Lan', right: [true, true, true] },
  { nickname: 'Minh Khôi', right: [true, true, false] },
  { nickname: 'Thu Hà', right: [false, false, true] },
] as const;
const RELOADER = 1;

const letter = (i: number) => String.fromCharCode(65 + i);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function shoot(page: Page, name: string) {
  // Web fonts and the last layout settled; the picture is what the screen shows, not the page.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: path.join(OUT, `live-${name}.png`), animations: 'disabled', scale: 'css' });
}

interface Phone {
  nickname: string;
  right: readonly boolean[];
  context: BrowserContext;
  page: Page;
}

async function openPhone(browser: Browser, baseURL: string, p: (typeof PLAYERS)[number]): Promise<Phone> {
  const context = await browser.newContext({
    ...devices['Pixel 7'],
    viewport: { width: 390, height: 844 },
    baseURL,
    locale: 'vi-VN',
  });
  return { ...p, context, page: await context.newPage() };
}

/** "Tổng điểm" on a phone's result or end screen, as formatted there ("1.950"). */
function totalOn(screen: Locator): Locator {
  return screen.locator(`dt:text-is("${vi.total}") + dd`);
}

/** The phone's status bar: "Điểm: 1.950 điểm" (the label is for screen readers). */
function barScore(page: Page): Locator {
  return page.getByText(/^Điểm:\s*[\d.]+ điểm$/);
}

test('a host runs a live game on the projector; three phones play, one reloads mid-game', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  expect(baseURL).toBeTruthy();
  const errors: string[] = [];
  const watch = (page: Page, who: string) =>
    page.on('pageerror', (err) => errors.push(`${who}: ${err.message}`));

  const hostContext = await browser.newContext({
    baseURL,
    viewport: { width: 1920, height: 1080 },
    deviceScaleFactor: 1,
    locale: 'vi-VN',
  });
  const host = await hostContext.newPage();
  watch(host, 'host');
  const phones = await Promise.all(PLAYERS.map((p) => openPhone(browser, baseURL!, p)));
  for (const ph of phones) watch(ph.page, ph.nickname);

  try {
    const bankName = uniqueId('Ngân hàng trực tiếp');
    const title = `Đố vui trực tiếp ${Date.now().toString(36)}`;

    await test.step('a bank of three questions (through the API)', async () => {
      await signIn(host.request, ORGANISER_EMAIL);
      const res = await host.request.post('/api/banks', { data: { name: bankName } });
      expect(res.status(), await res.text()).toBe(201);
      const { bank } = (await res.json()) as { bank: { id: number } };
      for (const q of QUESTIONS) {
        const added = await host.request.post(`/api/banks/${bank.id}/questions`, {
          data: {
            type: 'single',
            stem: q.stem,
            options: q.options.map((text, i) => ({ text, correct: i === q.right })),
          },
        });
        expect(added.status(), await added.text()).toBe(201);
      }
    });

    let pin = '';
    await test.step('the organiser creates the game in the UI and sees the PIN, join address and QR', async () => {
      await host.goto('/organise/live');
      await host.getByRole('button', { name: vi.newGame }).first().click();
      const form = host.getByTestId('live-new-form');
      await expect(form).toBeVisible();
      await form.getByLabel(vi.bank).selectOption({ label: `${bankName} (3)` });
      await form.getByLabel(vi.gameTitle).fill(title);
      await expect(form.getByRole('status')).toHaveText(vi.willHave(3));
      await form.getByLabel(vi.questionTime).fill(String(QUESTION_TIME_SEC));
      await form.getByLabel(vi.readingTime).fill(String(READING_TIME_SEC));
      await form.getByRole('button', { name: vi.createGame, exact: true }).click();

      await expect(host).toHaveURL(/\/organise\/live\/[^/]+$/);
      await expect(host.getByRole('heading', { level: 1, name: title })).toBeVisible();
      const pinEl = host.getByTestId('host-pin');
      await expect(pinEl).toHaveText(/^\d{3} \d{3}$/);
      pin = ((await pinEl.textContent()) ?? '').replace(/\D/g, '');
      expect(pin).toMatch(/^\d{6}$/);

      const joinUrl = `${new URL(baseURL!).host}/play?pin=${pin}`;
      await expect(host.getByText(joinUrl, { exact: true })).toBeVisible();
      const qr = host.getByRole('img', { name: new RegExp(`${escape(joinUrl)}$`) });
      await expect(qr).toBeVisible();
      // Drawn, not a broken image: the browser decoded the SVG the server made for this address.
      await expect
        .poll(() =>
          qr.evaluate((el) => {
            const img = el as unknown as { complete: boolean; naturalWidth: number };
            return img.complete && img.naturalWidth > 0;
          }),
        )
        .toBe(true);
      const svg = await host.request.get((await qr.getAttribute('src')) ?? '');
      expect(svg.headers()['content-type']).toContain('image/svg+xml');

      // The form's timing reached the game (the server's clock runs the questions from it).
      const gameId = new URL(host.url()).pathname.split('/').pop();
      const detail = await host.request.get(`/api/live/games/${gameId}`);
      expect(detail.ok()).toBeTruthy();
      const { game } = (await detail.json()) as {
        game: { questionCount: number; settings: { questionTimeSec: number; readingTimeSec: number } };
      };
      expect(game.questionCount).toBe(QUESTIONS.length);
      expect(game.settings).toMatchObject({
        questionTimeSec: QUESTION_TIME_SEC,
        readingTimeSec: READING_TIME_SEC,
      });
      await expect(host.getByRole('heading', { name: vi.hostPlayers(0) })).toBeVisible();
      await expect(
        host.getByRole('navigation', { name: vi.hostControls }).getByRole('button', { name: vi.start }),
      ).toBeDisabled();
    });

    await test.step('three phones enter the PIN and a nickname; the host sees them join', async () => {
      for (const [i, ph] of phones.entries()) {
        const { page } = ph;
        await page.goto('/play');
        // Players need no account: the header offers none (the language switch stays).
        await expect(page.getByTestId('lang-switch')).toBeVisible();
        await expect(page.getByTestId('header-sign-in')).toHaveCount(0);
        await expect(page.getByTestId('header-sign-up')).toHaveCount(0);
        await page.getByLabel(vi.pin).fill(pin);
        await page.getByRole('button', { name: vi.enter, exact: true }).tap();
        await page.getByLabel(vi.nickname).fill(ph.nickname);
        await page.getByRole('button', { name: vi.join, exact: true }).tap();
        await expect(page.getByTestId('play-lobby')).toBeVisible();
        await expect(page.getByTestId('play-lobby')).toContainText(ph.nickname);
        await expect(page.getByTestId('play-nickname')).toHaveText(ph.nickname);
        await expect(page).toHaveURL(`/play?pin=${pin}`);
        await expect(host.getByRole('heading', { name: vi.hostPlayers(i + 1) })).toBeVisible();
        await expect(host.getByRole('listitem').filter({ hasText: ph.nickname })).toBeVisible();
      }
    });

    const controls = host.getByRole('navigation', { name: vi.hostControls });
    await test.step('the host starts the game', async () => {
      await controls.getByRole('button', { name: vi.start }).click();
    });

    for (const [qi, q] of QUESTIONS.entries()) {
      const total = QUESTIONS.length;
      const wrong = (q.right + 1) % q.options.length;

      await test.step(`question ${qi + 1}: the phones answer, the host counts`, async () => {
        await expect(host.getByText(vi.questionOf(qi + 1, total), { exact: true })).toBeVisible();
        await expect(host.getByRole('heading', { level: 2, name: q.stem })).toBeVisible();
        await expect(host.getByTestId('host-answer-count')).toHaveText(vi.answered(0, 3));
        for (const ph of phones) {
          const question = ph.page.getByTestId('play-question');
          await expect(question).toBeVisible();
          await expect(question.getByRole('heading', { level: 1 })).toHaveText(vi.questionOf(qi + 1, total));
          await expect(question).toContainText(q.stem);
          await expect(question.getByRole('button', { name: /^Đáp án [A-D]: / })).toHaveCount(4);
        }

        for (const [pi, ph] of phones.entries()) {
          const choice = ph.right[qi] ? q.right : wrong;
          const option = ph.page.getByRole('button', { name: vi.option(letter(choice), q.options[choice]!) });
          // Disabled while the question is being read, on the server's clock.
          await expect(option).toBeEnabled();
          if (qi === 0 && pi === 0) await shoot(ph.page, 'phone-question');
          await option.tap();
          if (pi < phones.length - 1) {
            await expect(ph.page.getByTestId('play-answered')).toContainText(vi.saved);
            // The stored answer stays marked on the phone; the others are not.
            await expect(option).toHaveAttribute('aria-pressed', 'true');
            await expect(ph.page.locator('button[aria-pressed="true"]')).toHaveCount(1);
            await expect(host.getByTestId('host-answer-count')).toHaveText(vi.answered(pi + 1, 3));
            if (qi === 0 && pi === 0) {
              await shoot(host, 'projector-question');
              await shoot(ph.page, 'phone-answered');
            }
          }
        }
      });

      await test.step(`question ${qi + 1}: everyone answered, so the reveal comes at once`, async () => {
        const rights = phones.filter((ph) => ph.right[qi]).length;
        await expect(host.getByText(vi.rightCount(rights, 3), { exact: false })).toBeVisible();
        await expect(host.getByTestId('host-answer-count')).toHaveCount(0);
        const tiles = host.getByRole('listitem').filter({ hasText: /\d+ lượt chọn$/ });
        await expect(tiles).toHaveCount(4);
        for (const [oi, text] of q.options.entries()) {
          const tile = tiles.filter({ hasText: `${letter(oi)}. ${text}` });
          const votes = phones.filter((ph) => (ph.right[qi] ? q.right : wrong) === oi).length;
          await expect(tile).toContainText(vi.votes(votes));
          if (oi === q.right) await expect(tile).toContainText(vi.correctMark);
          else await expect(tile).not.toContainText(vi.correctMark);
        }

        // Each phone's verdict, score and rank, and the same on the projector's top 10.
        const top = host.getByRole('region', { name: vi.top });
        await expect(top.getByRole('listitem')).toHaveCount(3);
        for (const ph of phones) {
          const result = ph.page.getByTestId('play-result');
          await expect(result).toBeVisible();
          await expect(result.getByRole('heading', { level: 1 })).toHaveText(
            ph.right[qi] ? vi.right : vi.wrong,
          );
          if (!ph.right[qi]) await expect(result).toContainText(`${letter(q.right)}. ${q.options[q.right]}`);
          const rank = ((await result.getByTestId('play-rank').textContent()) ?? '').trim();
          expect(rank).toMatch(/^[1-3]\/3$/);
          const score = ((await totalOn(result).textContent()) ?? '').trim();
          await expect(barScore(ph.page)).toContainText(vi.points(score));
          const row = top.getByRole('listitem').filter({ hasText: ph.nickname });
          await expect(row).toHaveText(
            new RegExp(`^\\s*${rank.split('/')[0]}\\s*${escape(ph.nickname)}\\s*${escape(score)}\\s*$`),
          );
        }
        if (qi === 0) {
          await shoot(host, 'projector-reveal');
          await shoot(phones[2]!.page, 'phone-result');
        }
      });

      if (qi === 0) {
        await test.step('a player reloads after the first reveal and is back with the same score', async () => {
          const { page, nickname } = phones[RELOADER]!;
          const result = page.getByTestId('play-result');
          const score = ((await totalOn(result).textContent()) ?? '').trim();
          const rank = ((await result.getByTestId('play-rank').textContent()) ?? '').trim();
          expect(Number(score.replace(/\D/g, ''))).toBeGreaterThan(0);

          await page.reload();
          await expect(page).toHaveURL(`/play?pin=${pin}`);
          // No nickname asked again: the seat kept in this browser rejoins by itself.
          await expect(page.getByTestId('play-nickname')).toHaveText(nickname);
          await expect(page.getByLabel(vi.nickname)).toHaveCount(0);
          await expect(barScore(page)).toHaveText(new RegExp(`${escape(vi.points(score))}$`));
          await expect(page.getByTestId('play-result')).toBeVisible();
          await expect(totalOn(page.getByTestId('play-result'))).toHaveText(score);
          await expect(page.getByTestId('play-rank')).toHaveText(rank);
          // Still one player of three for the host: the reload rejoined, it did not join anew.
          await expect(host.getByRole('region', { name: vi.top }).getByRole('listitem')).toHaveCount(3);
        });
      }

      await test.step(`question ${qi + 1}: the host moves on`, async () => {
        const last = qi === QUESTIONS.length - 1;
        await controls.getByRole('button', { name: last ? vi.toPodium : vi.nextQuestion }).click();
      });
    }

    await test.step('the podium: the three nicknames in score order, the same on every phone', async () => {
      const podium = host.getByRole('list', { name: vi.podium });
      await expect(podium).toBeVisible();
      const steps = podium.getByRole('listitem');
      await expect(steps).toHaveCount(3);

      const finals: { nickname: string; rank: number; score: number; text: string }[] = [];
      for (const ph of phones) {
        const ended = ph.page.getByTestId('play-ended');
        await expect(ended).toBeVisible();
        const rank = ((await ph.page.getByTestId('play-final-rank').textContent()) ?? '').trim();
        expect(rank).toMatch(/^[1-3]\/3$/);
        const text = ((await totalOn(ended).textContent()) ?? '').trim();
        finals.push({
          nickname: ph.nickname,
          rank: Number(rank[0]),
          score: Number(text.replace(/\D/g, '')),
          text,
        });
        await expect(ended.getByRole('list', { name: vi.podium }).getByRole('listitem')).toHaveCount(3);
      }
      // Distinct scores, ranks 1-2-3 in score order, and the order the answers were built for.
      const byScore = [...finals].sort((a, b) => b.score - a.score);
      expect(new Set(finals.map((f) => f.score)).size).toBe(3);
      expect(byScore.map((f) => f.rank)).toEqual([1, 2, 3]);
      expect(byScore.map((f) => f.nickname)).toEqual(PLAYERS.map((p) => p.nickname));

      for (const [i, f] of byScore.entries()) {
        const step = steps.nth(i);
        await expect(step.getByText(f.nickname, { exact: true })).toBeVisible();
        await expect(step).toContainText(vi.points(f.text));
        await expect(step).toContainText(vi.place(i + 1));
        for (const ph of phones) {
          const phoneStep = ph.page.getByRole('list', { name: vi.podium }).getByRole('listitem').nth(i);
          await expect(phoneStep).toContainText(f.nickname);
          await expect(phoneStep).toContainText(vi.points(f.text));
        }
      }
      await shoot(host, 'projector-podium');
    });

    expect(errors, 'uncaught errors in the pages').toEqual([]);
  } finally {
    await Promise.all([hostContext.close(), ...phones.map((ph) => ph.context.close())]);
  }
});
