// Who is signed in. Loaded once at start from GET /api/auth/me; the session itself is an
// httpOnly cookie the app never sees.
import { api, ApiError, type User } from './api.ts';
import { router } from './router.svelte.ts';

class Session {
  user = $state<User | null>(null);
  /** False until the first /auth/me answer (or failure), so pages do not redirect too early. */
  ready = $state(false);

  async load(): Promise<void> {
    try {
      this.user = (await api.me()).user;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('auth/me failed', err);
      this.user = null;
    } finally {
      this.ready = true;
    }
  }

  async login(email: string, password: string): Promise<void> {
    this.user = (await api.login({ email, password })).user;
  }

  async register(name: string, email: string, password: string): Promise<void> {
    this.user = (await api.register({ name, email, password })).user;
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
