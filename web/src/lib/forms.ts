// Small helpers shared by the forms: client-side checks and matching a server validation message
// ("body/fields/phone must match pattern ...") to the field it is about.
import { tick } from 'svelte';
import { ApiError } from './api.ts';

export const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());

/** Vietnamese (0xx…) or international (+xx…) numbers: 8 to 15 digits, spaces/dots/dashes allowed. */
export function isPhone(s: string): boolean {
  const t = s.trim();
  if (!/^\+?[\d\s.\-()]+$/.test(t)) return false;
  const digits = t.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15;
}

/** A real calendar date written YYYY-MM-DD (what <input type=date> produces). */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1;
}

/** Which of `keys` a server validation error names, if any. */
export function fieldOfError(err: unknown, keys: readonly string[]): string | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const text = `${err.message} ${typeof err.body.field === 'string' ? err.body.field : ''}`;
  for (const key of keys) {
    const re = new RegExp(`(^|[\\s/.'"])(${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})($|[\\s/.'"])`);
    if (re.test(text)) return key;
  }
  return null;
}

/** Moves focus to the first control marked invalid in `form` (after the DOM has updated). */
export async function focusFirstInvalid(form: HTMLElement | null | undefined): Promise<void> {
  await tick();
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
