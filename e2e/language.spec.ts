// The language switch in the header: Vietnamese by default, English on demand, remembered on
// this device across reloads.
import { expect, test } from '@playwright/test';
import { DEMO_SLUG, vi } from './utils.ts';

test('the language switch toggles Vietnamese and English and survives a reload', async ({ page }) => {
  await page.goto('/');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(vi.contestsHeading);
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('link', { name: 'Đăng nhập' })).toBeVisible();

  const toEnglish = page.getByRole('button', { name: 'Chuyển ngôn ngữ sang English' });
  await toEnglish.click();
  await expect(heading).toHaveText('Contests');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.reload();
  await expect(heading).toHaveText('Contests');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // Other pages follow the choice too.
  await page.goto(`/c/${DEMO_SLUG}`);
  await expect(page.getByRole('heading', { level: 2, name: 'Rounds' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Rules' })).toBeVisible();

  await page.getByRole('button', { name: 'Switch language to Tiếng Việt' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Các tuần thi' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 2, name: 'Các tuần thi' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});
