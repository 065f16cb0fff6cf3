// A tiny History-API router: the app has a handful of flat routes (participant, judge, public
// results), which do not justify a routing library. Same-origin <a href> clicks are intercepted globally, so pages use
// plain anchors and stay usable with middle-click and "open in new tab".
import { untrack } from 'svelte';

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'contest'; slug: string }
  | { name: 'entry'; slug: string }
  | { name: 'attempt'; attemptId: string }
  | { name: 'result'; attemptId: string }
  | { name: 'leaderboard'; roundId: string }
  | { name: 'publicResults'; roundId: string }
  | { name: 'judgeIndex' }
  | { name: 'judgeRound'; roundId: string }
  | { name: 'judgeStats'; roundId: string }
  | { name: 'judgeAttempt'; attemptId: string }
  | { name: 'auditLog' }
  | { name: 'organise' }
  | { name: 'banks' }
  | { name: 'bank'; bankId: string }
  | { name: 'bankImport'; bankId: string }
  | { name: 'questionNew'; bankId: string }
  | { name: 'question'; questionId: string }
  | { name: 'contests' }
  | { name: 'contestNew' }
  | { name: 'contestEdit'; contestId: string }
  | { name: 'roundNew'; contestId: string }
  | { name: 'roundEdit'; roundId: string }
  | { name: 'dashboard'; contestId: string }
  | { name: 'play' }
  | { name: 'liveGames' }
  | { name: 'liveHost'; gameId: string }
  | { name: 'liveReport'; gameId: string }
  | { name: 'notFound' };

const patterns: [RegExp, (m: string[]) => Route][] = [
  [/^\/$/, () => ({ name: 'home' })],
  [/^\/login$/, () => ({ name: 'login' })],
  [/^\/register$/, () => ({ name: 'register' })],
  [/^\/c\/([^/]+)$/, (m) => ({ name: 'contest', slug: m[1] })],
  [/^\/c\/([^/]+)\/entry$/, (m) => ({ name: 'entry', slug: m[1] })],
  [/^\/a\/([^/]+)$/, (m) => ({ name: 'attempt', attemptId: m[1] })],
  [/^\/a\/([^/]+)\/result$/, (m) => ({ name: 'result', attemptId: m[1] })],
  [/^\/r\/([^/]+)\/leaderboard$/, (m) => ({ name: 'leaderboard', roundId: m[1] })],
  [/^\/r\/([^/]+)\/results$/, (m) => ({ name: 'publicResults', roundId: m[1] })],
  [/^\/judge$/, () => ({ name: 'judgeIndex' })],
  [/^\/judge\/r\/([^/]+)$/, (m) => ({ name: 'judgeRound', roundId: m[1] })],
  [/^\/judge\/r\/([^/]+)\/stats$/, (m) => ({ name: 'judgeStats', roundId: m[1] })],
  [/^\/judge\/a\/([^/]+)$/, (m) => ({ name: 'judgeAttempt', attemptId: m[1] })],
  [/^\/admin\/audit$/, () => ({ name: 'auditLog' })],
  [/^\/organise$/, () => ({ name: 'organise' })],
  [/^\/organise\/banks$/, () => ({ name: 'banks' })],
  [/^\/organise\/banks\/([^/]+)$/, (m) => ({ name: 'bank', bankId: m[1] })],
  [/^\/organise\/banks\/([^/]+)\/import$/, (m) => ({ name: 'bankImport', bankId: m[1] })],
  [/^\/organise\/banks\/([^/]+)\/new$/, (m) => ({ name: 'questionNew', bankId: m[1] })],
  [/^\/organise\/questions\/([^/]+)$/, (m) => ({ name: 'question', questionId: m[1] })],
  [/^\/organise\/contests$/, () => ({ name: 'contests' })],
  [/^\/organise\/contests\/new$/, () => ({ name: 'contestNew' })],
  [/^\/organise\/contests\/([^/]+)$/, (m) => ({ name: 'contestEdit', contestId: m[1] })],
  [/^\/organise\/contests\/([^/]+)\/rounds\/new$/, (m) => ({ name: 'roundNew', contestId: m[1] })],
  [/^\/organise\/contests\/([^/]+)\/dashboard$/, (m) => ({ name: 'dashboard', contestId: m[1] })],
  [/^\/organise\/rounds\/([^/]+)$/, (m) => ({ name: 'roundEdit', roundId: m[1] })],
  [/^\/play$/, () => ({ name: 'play' })],
  [/^\/organise\/live$/, () => ({ name: 'liveGames' })],
  [/^\/organise\/live\/([^/]+)$/, (m) => ({ name: 'liveHost', gameId: m[1] })],
  [/^\/organise\/live\/([^/]+)\/report$/, (m) => ({ name: 'liveReport', gameId: m[1] })],
];

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const [re, make] of patterns) {
    const m = re.exec(path);
    if (m) return make(m.map((part, i) => (i === 0 ? part : safeDecode(part))));
  }
  return { name: 'notFound' };
}

/** Only same-site paths may be used as a redirect target (no `//evil.example`). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  route = $derived(matchRoute(this.path));
  query = $derived(new URLSearchParams(this.search));

  /** The current location as a path with query, e.g. for `?next=`. */
  get href(): string {
    return this.path + this.search;
  }

  #leaveGuard: (() => boolean) | null = null;

  /**
   * While a page holds unsaved work: following a link or going back first asks `confirmLeave`,
   * which answers whether to leave. Returns the function that lifts the guard. Navigations the
   * page makes itself (after saving) are not asked.
   */
  guardLeave(confirmLeave: () => boolean): () => void {
    this.#leaveGuard = confirmLeave;
    return () => {
      if (this.#leaveGuard === confirmLeave) this.#leaveGuard = null;
    };
  }

  /** Safe to call from effects: it reads no reactive state, so it subscribes them to nothing. */
  navigate(to: string, opts: { replace?: boolean } = {}): void {
    untrack(() => this.#go(to, opts));
  }

  #go(to: string, opts: { replace?: boolean }): void {
    const url = new URL(to, location.origin);
    if (url.origin !== location.origin) {
      location.assign(to);
      return;
    }
    const target = url.pathname + url.search + url.hash;
    if (opts.replace) history.replaceState(null, '', target);
    else if (target !== location.pathname + location.search + location.hash)
      history.pushState(null, '', target);
    this.sync();
    if (!url.hash) window.scrollTo(0, 0);
  }

  /** Sends the visitor to the sign-in page, coming back here afterwards. */
  toLogin(): void {
    untrack(() => {
      if (this.route.name === 'login') return;
      this.#go(`/login?next=${encodeURIComponent(this.href)}`, { replace: true });
    });
  }

  /** Attaches the listeners; returns the function that detaches them. */
  start(): () => void {
    const onPop = () => {
      // Back or forward away from unsaved work the organiser wants to keep: put the page's
      // address back (the entry moved to stays in the history).
      if (this.#leaveGuard && location.pathname !== this.path && !this.#leaveGuard()) {
        history.pushState(null, '', this.path + this.search);
        return;
      }
      this.sync();
    };
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a');
      if (!a || !a.href || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
      const url = new URL(a.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
      // In-page anchors (the skip link) keep the browser's own behaviour.
      if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
      e.preventDefault();
      if (this.#leaveGuard && url.pathname !== location.pathname && !this.#leaveGuard()) return;
      this.navigate(url.pathname + url.search + url.hash);
    };
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export const router = new Router();
