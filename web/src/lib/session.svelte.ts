// Who is signed in. Loaded once at start from GET /api/auth/me; the session itself is an
// httpOnly cookie the app never sees.
import { api, ApiError, type User } from './api.ts';
import { router } from './router.svelte.ts';

class Session {
  user = $state<User | null>(null);
  /**
   * True once the server has said who this is (or that nobody is signed in). A failure to reach
   * it (offline) leaves this false and tries again: no connection is not "signed out", and an
   * attempt page reloaded offline must not be sent to the sign-in form.
   */
  ready = $state(false);
  #retryDelay = 2000;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #onOnline = () => void this.load();

  /** May read results, finalise and void: judges, and admins (who may do everything). */
  get isJudge(): boolean {
    return !!this.user && this.user.roles.some((r) => r === 'judge' || r === 'admin');
  }

  /** May author banks and contests: organisers, and admins. */
  get isOrganiser(): boolean {
    return !!this.user && this.user.roles.some((r) => r === 'organiser' || r === 'admin');
  }

  get isAdmin(): boolean {
    return !!this.user && this.user.roles.includes('admin');
  }

  /** Known to be signed out: pages that need an account send the visitor to sign in. */
  get anonymous(): boolean {
    return this.ready && this.user === null;
  }

  async load(): Promise<void> {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    try {
      this.user = (await api.me()).user;
      this.ready = true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.user = null;
        this.ready = true;
        return;
      }
      console.warn('auth/me failed', err);
      this.#retryTimer = setTimeout(() => void this.load(), this.#retryDelay);
      this.#retryDelay = Math.min(this.#retryDelay * 2, 30_000);
      window.removeEventListener('online', this.#onOnline);
      window.addEventListener('online', this.#onOnline, { once: true });
    }
  }

  async login(email: string, password: string): Promise<void> {
    this.user = (await api.login({ email, password })).user;
    this.ready = true;
  }

  async register(name: string, email: string, password: string): Promise<void> {
    this.user = (await api.register({ name, email, password })).user;
    this.ready = true;
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.user = null;
    }
  }

  /** Call from protected pages: a 401 means the session is gone, so go and sign in again. */
  handleAuthError(err: unknown): boolean {
    if (err instanceof ApiError && err.status === 401) {
      this.user = null;
      this.ready = true;
      router.toLogin();
      return true;
    }
    return false;
  }
}

export const session = new Session();

/** Ids may arrive as numbers or strings depending on the database; compare them as strings. */
export function sameId(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}
