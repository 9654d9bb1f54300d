/**
 * @module
 * Login rate limits, per client address and per account (OWASP ASVS 2.2.1): an address may try
 * `perAddress` logins per window; an account is locked for the rest of its window after
 * `perAccount` failures, whoever tries. A success clears the account's failures. Counters are kept
 * under a hash of the normalized email, never the email itself.
 */
import { createHash } from 'node:crypto';
import { RateLimitedError } from './errors.ts';

export interface LimiterOptions {
  readonly perAddress?: number;
  readonly perAccount?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

interface Window {
  count: number;
  readonly start: number;
}

export class LoginLimiter {
  readonly #perAddress: number;
  readonly #perAccount: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #addresses = new Map<string, Window>();
  readonly #accounts = new Map<string, Window>();

  constructor(opts: LimiterOptions = {}) {
    this.#perAddress = opts.perAddress ?? 20;
    this.#perAccount = opts.perAccount ?? 5;
    this.#windowMs = opts.windowMs ?? 15 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Counts an attempt from `address` for `email`; throws RateLimitedError when over a limit. */
  attempt(address: string, email: string): void {
    const now = this.#now();
    if (this.#addresses.size + this.#accounts.size > 100_000) this.#sweep(now);
    const a = this.#window(this.#addresses, address, now);
    const acc = this.#accounts.get(accountKey(email));
    if (acc && now - acc.start < this.#windowMs && acc.count >= this.#perAccount)
      throw this.#limited(acc, now);
    if (a.count >= this.#perAddress) throw this.#limited(a, now);
    a.count++;
  }

  failed(email: string): void {
    this.#window(this.#accounts, accountKey(email), this.#now()).count++;
  }

  succeeded(email: string): void {
    this.#accounts.delete(accountKey(email));
  }

  #window(map: Map<string, Window>, key: string, now: number): Window {
    let w = map.get(key);
    if (!w || now - w.start >= this.#windowMs) {
      w = { count: 0, start: now };
      map.set(key, w);
    }
    return w;
  }

  #limited(w: Window, now: number): RateLimitedError {
    return new RateLimitedError(Math.max(1, Math.ceil((w.start + this.#windowMs - now) / 1000)));
  }

  #sweep(now: number): void {
    for (const map of [this.#addresses, this.#accounts])
      for (const [k, w] of map) if (now - w.start >= this.#windowMs) map.delete(k);
  }
}

function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}
