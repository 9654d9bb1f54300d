/**
 * @module
 * Login sessions, in memory only: a session token is `mls_<id>_<secret>`; the node keeps the SHA-256
 * of the secret and the unsealed credentials. A session ends on logout, after `idleMs` without a
 * request (HIPAA §164.312(a)(2)(iii) automatic logoff) or `maxMs` after login, and with the process.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from '../medical/facade.ts';

export interface SessionOptions {
  /** Inactivity before automatic logoff (default 15 minutes). */
  readonly idleMs?: number;
  /** Absolute lifetime (default 12 hours). */
  readonly maxMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly hash: Buffer;
  readonly session: Session;
  readonly created: number;
  lastSeen: number;
}

const TOKEN = /^mls_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export class Sessions {
  readonly idleMs: number;
  readonly maxMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 15 * 60_000;
    this.maxMs = opts.maxMs ?? 12 * 3_600_000;
    this.#now = opts.now ?? Date.now;
  }

  static isSessionToken(token: string): boolean {
    return token.startsWith('mls_');
  }

  create(session: Session): { token: string; expiresAt: number } {
    this.#sweep();
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = this.#now();
    this.#entries.set(id, { hash: hashOf(secret), session, created: now, lastSeen: now });
    return { token: `mls_${id}_${secret}`, expiresAt: now + this.idleMs };
  }

  /** The session of a token, refreshing its idle timer; undefined if unknown, expired or logged out. */
  resolve(token: string): Session | undefined {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const e = this.#entries.get(m[1]!);
    if (!e || !timingSafeEqual(e.hash, hashOf(m[2]!))) return undefined;
    const now = this.#now();
    if (now - e.lastSeen > this.idleMs || now - e.created > this.maxMs) {
      this.#entries.delete(m[1]!);
      return undefined;
    }
    e.lastSeen = now;
    return e.session;
  }

  /** Ends the session of a token (logout); true when there was one. */
  end(token: string): boolean {
    const m = TOKEN.exec(token);
    return m ? this.#entries.delete(m[1]!) : false;
  }

  /** Ends every session of a user (revoked identity). */
  endAll(keyId: string): void {
    for (const [id, e] of this.#entries) if (e.session.keyId === keyId) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, e] of this.#entries)
      if (now - e.lastSeen > this.idleMs || now - e.created > this.maxMs) this.#entries.delete(id);
  }
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
