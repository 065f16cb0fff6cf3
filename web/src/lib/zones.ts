// Contest time zones already seen in this visit, so pages that only know a round (result,
// leaderboard) can show times in the contest's zone without fetching the whole contest again.
import { DEFAULT_TIME_ZONE } from './format.ts';

const zones = new Map<string, string>();

export function rememberContestZone(slug: string, timeZone: string | null | undefined): void {
  if (timeZone) zones.set(slug, timeZone);
}

export function knowsContestZone(slug: string): boolean {
  return zones.has(slug);
}

export function contestZone(slug: string | null | undefined): string {
  return (slug && zones.get(slug)) || DEFAULT_TIME_ZONE;
}
