/**
 * @module
 * Who is logged in: the session token and user, kept in sessionStorage (gone when the tab closes),
 * checked against `/auth/me` on load. Automatic logoff (HIPAA §164.312(a)(2)(iii)): after the
 * node's idle timeout without keyboard, pointer or touch activity the portal logs out, and any 401
 * from the node (expired or revoked session) ends the session too.
 */
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api, setToken, setUnauthorizedHandler } from './api.ts';
import type { LoginResult, User } from '../../src/api/contract/auth.ts';

interface Stored {
  readonly token: string;
  readonly user: User;
  readonly idleTimeoutMs: number;
}

export interface AuthState {
  readonly user: User | null;
  /** Why the last session ended, shown on the login page. */
  readonly endedBecause: string | null;
  readonly login: (email: string, password: string) => Promise<void>;
  readonly logout: (reason?: string) => void;
}

const KEY = 'medledger.session';
const AuthContext = createContext<AuthState | null>(null);

function load(): Stored | null {
  try {
    const s = sessionStorage.getItem(KEY);
    return s ? (JSON.parse(s) as Stored) : null;
  } catch {
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }): ReactNode {
  const [session, setSession] = useState<Stored | null>(() => {
    const s = load();
    setToken(s?.token ?? null);
    return s;
  });
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const lastActivity = useRef(0);

  const logout = useCallback((reason?: string) => {
    const token = load()?.token;
    if (token) void api.post('/auth/logout').catch(() => undefined);
    sessionStorage.removeItem(KEY);
    setToken(null);
    setSession(null);
    setEndedBecause(reason ?? null);
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const r = await api.post<LoginResult>('/auth/login', { email, password });
    const s: Stored = { token: r.token, user: r.user, idleTimeoutMs: r.idleTimeoutMs };
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setToken(r.token);
    lastActivity.current = Date.now();
    setEndedBecause(null);
    setSession(s);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      sessionStorage.removeItem(KEY);
      setToken(null);
      setSession(null);
      setEndedBecause('Your session has ended. Please log in again.');
    });
    return () => {
      setUnauthorizedHandler(null);
    };
  }, []);

  // A stored session may have expired while the tab was away: ask the node.
  useEffect(() => {
    if (session) void api.get<User>('/auth/me').catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on load
  }, []);

  useEffect(() => {
    if (!session) return;
    lastActivity.current = Date.now();
    const touch = (): void => {
      lastActivity.current = Date.now();
    };
    const events = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const timer = window.setInterval(() => {
      if (Date.now() - lastActivity.current >= session.idleTimeoutMs)
        logout(
          `You were logged out after ${String(Math.round(session.idleTimeoutMs / 60_000))} minutes without activity.`,
        );
    }, 1000);
    return () => {
      for (const e of events) window.removeEventListener(e, touch);
      window.clearInterval(timer);
    };
  }, [session, logout]);

  const value = useMemo<AuthState>(
    () => ({ user: session?.user ?? null, endedBecause, login, logout }),
    [session, endedBecause, login, logout],
  );
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthState {
  const a = use(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}

/** The logged-in user (inside a workspace, where one always is). */
export function useUser(): User {
  const u = useAuth().user;
  if (!u) throw new Error('no user');
  return u;
}
