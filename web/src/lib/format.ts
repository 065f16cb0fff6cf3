// Number, duration and date formatting. Dates are always shown in the contest's time zone with
// the zone named ("GMT+7"), because participants may sit anywhere while the rules speak in the
// organiser's local time.

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Ranking durations: mm:ss.SSS (minutes keep counting past 59). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const minutes = Math.floor(total / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  return `${pad(minutes)}:${pad(seconds)}.${pad(total % 1000, 3)}`;
}

/** A countdown: mm:ss under an hour, h:mm:ss under a day, then days are added by the caller. */
export function splitRemaining(ms: number): { days: number; clock: string } {
  const totalSec = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(totalSec / 86_400);
  const h = Math.floor((totalSec % 86_400) / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  const clock = days > 0 || h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  return { days, clock };
}

function validZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** "GMT+7" for Asia/Ho_Chi_Minh (at the given instant, for zones with summer time). */
export function zoneLabel(timeZone: string | null | undefined, at: Date = new Date()): string {
  const zone = validZone(timeZone);
  try {
    const part = formatter('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName');
    if (part) return part.value;
  } catch {
    // Older engines without shortOffset: fall through.
  }
  return zone;
}

/** "21:00, 26/11/2026 (GMT+7)" in the contest's zone. */
export function formatDateTime(iso: string, locale: string, timeZone: string | null | undefined): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = validZone(timeZone);
  const text = formatter(locale, {
    timeZone: zone,
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${text} (${zoneLabel(zone, date)})`;
}

export function formatNumber(n: number, locale: string, maxFractionDigits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

/**
 * Estimates server time minus local time from a response's `now`, taking the middle of the
 * request as the moment the server read its clock.
 */
export function clockOffset(serverNowIso: string, sentAt: number, receivedAt: number): number {
  const server = Date.parse(serverNowIso);
  if (Number.isNaN(server)) return 0;
  return server - (sentAt + receivedAt) / 2;
}

/**
 * A precise instant for judges' tables, in the contest's zone, the same in both languages:
 * date "26/11/2026" and time with milliseconds "21:05:07.123" (ties are decided to the ms).
 */
export function formatStamp(
  iso: string,
  timeZone: string | null | undefined,
): { date: string; time: string } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { date: iso, time: '' };
  const parts = formatter('en-GB', {
    timeZone: validZone(timeZone),
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('day')}/${get('month')}/${get('year')}`,
    time: `${get('hour')}:${get('minute')}:${get('second')}.${pad(date.getUTCMilliseconds(), 3)}`,
  };
}

/** 0.37 -> "37%" (or "37,5%" in Vietnamese with one decimal). */
export function formatPercent(ratio: number, locale: string, maxFractionDigits = 1): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: maxFractionDigits }).format(
    ratio,
  );
}
