/**
 * @module
 * Personal API tokens: a key per user for scripts and apps. A token is `mlt_<id>_<secret>`; the vault keeps
 * only the SHA-256 of the secret, and the user's private keys sealed under a key derived from the
 * secret (HKDF-SHA256), so the token is the only thing that can act for the user without their
 * password, and a copy of the vault cannot. The token is shown once, at creation.
 */
import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { openAead, sealAead } from '../core/aead.ts';
import { fromHex, toHex, utf8 } from '../core/bytes.ts';
import { ArgumentValueError, AuthFailedError, NotFoundError } from '../core/errors.ts';
import { x25519FromPrivate, x25519PrivateRaw } from '../core/hpke.ts';
import { signerFromSeed } from '../core/keys.ts';
import type { AccountInfo, Credentials } from './accounts.ts';
import type { SqliteVault } from './sqlite-vault.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_tokens (
  id          TEXT PRIMARY KEY,
  key_id      TEXT NOT NULL,
  name        TEXT NOT NULL,
  hash        BLOB NOT NULL,
  sealed_keys BLOB NOT NULL,
  created     INTEGER NOT NULL,
  expires     INTEGER,
  last_used   INTEGER,
  revoked     INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS api_tokens_by_key ON api_tokens (key_id);
`;

const TOKEN = /^mlt_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

/** The id part of a personal API token (`mlt_<id>_<secret>`), or undefined when it is not one. */
export function apiTokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export interface ApiTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly expires: number | undefined;
  readonly lastUsed: number | undefined;
  readonly revoked: number | undefined;
}

interface Row {
  id: string;
  key_id: string;
  name: string;
  hash: Uint8Array;
  sealed_keys: Uint8Array;
  created: number;
  expires: number | null;
  last_used: number | null;
  revoked: number | null;
}

/** How long a token lives when its creator names no end, and at most: a forgotten token stops by itself. */
export interface TokenLifetime {
  readonly defaultDays: number;
  readonly maxDays: number;
}

export const DEFAULT_TOKEN_LIFETIME: TokenLifetime = { defaultDays: 90, maxDays: 365 };

const DAY_MS = 86_400_000;

export class ApiTokens {
  readonly #vault: SqliteVault;
  readonly #account: (keyId: string) => AccountInfo | undefined;
  readonly #lifetime: TokenLifetime;

  constructor(
    vault: SqliteVault,
    account: (keyId: string) => AccountInfo | undefined,
    lifetime: TokenLifetime = DEFAULT_TOKEN_LIFETIME,
  ) {
    if (!(lifetime.defaultDays > 0 && lifetime.defaultDays <= lifetime.maxDays))
      throw new ArgumentValueError('tokenLifetime', 'needs 0 < default days ≤ maximum days');
    this.#vault = vault;
    this.#account = account;
    this.#lifetime = lifetime;
    vault.db.exec(SCHEMA);
  }

  get lifetime(): TokenLifetime {
    return this.#lifetime;
  }

  /** Creates a token for the logged-in user `c`; the returned `token` is never stored and shown once. */
  create(
    c: Credentials,
    name: string,
    opts: { now: number; expires?: number },
  ): { token: string; info: ApiTokenInfo } {
    const label = name.trim();
    if (label.length === 0 || label.length > 100)
      throw new ArgumentValueError('name', 'must be 1..100 characters');
    if (opts.expires !== undefined && opts.expires <= opts.now)
      throw new ArgumentValueError('expires', 'must be in the future');
    const expires = opts.expires ?? opts.now + this.#lifetime.defaultDays * DAY_MS;
    if (expires > opts.now + this.#lifetime.maxDays * DAY_MS)
      throw new ArgumentValueError('expires', `must be within ${String(this.#lifetime.maxDays)} days`);
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const seed = c.signer.privateKey.export({ format: 'jwk' }).d ?? '';
    const secrets = utf8(
      JSON.stringify({
        seed: toHex(Buffer.from(seed, 'base64url')),
        x25519: toHex(x25519PrivateRaw(c.encryption)),
      }),
    );
    this.#vault.db
      .prepare(
        `INSERT INTO api_tokens (id, key_id, name, hash, sealed_keys, created, expires)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        c.keyId,
        label,
        hashOf(secret),
        sealAead(keyOf(secret), secrets, aadOf(id)),
        opts.now,
        expires,
      );
    this.#vault.sync();
    return { token: `mlt_${id}_${secret}`, info: this.#info(this.#row(id)!) };
  }

  /** Resolves a presented token to the user's credentials; AuthFailedError for anything wrong. */
  resolve(token: string, now: number): Credentials {
    const m = TOKEN.exec(token);
    if (!m) throw new AuthFailedError();
    const [, id, secret] = m as unknown as [string, string, string];
    const row = this.#row(id);
    if (!row || !timingSafeEqual(row.hash, hashOf(secret))) throw new AuthFailedError();
    if (row.revoked !== null || (row.expires !== null && row.expires <= now)) throw new AuthFailedError();
    const account = this.#account(row.key_id);
    if (!account) throw new AuthFailedError();
    const keys = JSON.parse(Buffer.from(openAead(keyOf(secret), row.sealed_keys, aadOf(id))).toString()) as {
      seed: string;
      x25519: string;
    };
    this.touch(id, now);
    return {
      ...account,
      signer: signerFromSeed(fromHex(keys.seed, 32, 'seed')),
      encryption: x25519FromPrivate(fromHex(keys.x25519, 32, 'x25519')),
    };
  }

  /** Whether token `id` is still usable (not revoked, not expired): a cheap check for cached tokens. */
  isActive(id: string, now: number): boolean {
    const r = this.#vault.db.prepare('SELECT revoked, expires FROM api_tokens WHERE id = ?').get(id) as
      { revoked: number | null; expires: number | null } | undefined;
    return r?.revoked === null && (r.expires === null || r.expires > now);
  }

  touch(id: string, now: number): void {
    this.#vault.db.prepare('UPDATE api_tokens SET last_used = ? WHERE id = ?').run(now, id);
  }

  /** The token id inside a presented token, or undefined when it is not token-shaped. */
  static idOf(token: string): string | undefined {
    return apiTokenId(token);
  }

  list(keyId: string): ApiTokenInfo[] {
    const rows = this.#vault.db
      .prepare('SELECT * FROM api_tokens WHERE key_id = ? ORDER BY created, id')
      .all(keyId) as unknown as Row[];
    return rows.map((r) => this.#info(r));
  }

  /** Revokes one of `keyId`'s tokens; NotFoundError for another user's token or an unknown id. */
  revoke(keyId: string, id: string, now: number): ApiTokenInfo {
    const row = this.#row(id);
    if (row?.key_id !== keyId) throw new NotFoundError('api token', id);
    this.#vault.db.prepare('UPDATE api_tokens SET revoked = coalesce(revoked, ?) WHERE id = ?').run(now, id);
    this.#vault.sync();
    return this.#info(this.#row(id)!);
  }

  #row(id: string): Row | undefined {
    return this.#vault.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined;
  }

  #info(r: Row): ApiTokenInfo {
    return {
      id: r.id,
      name: r.name,
      created: r.created,
      expires: r.expires ?? undefined,
      lastUsed: r.last_used ?? undefined,
      revoked: r.revoked ?? undefined,
    };
  }
}

function hashOf(secret: string): Uint8Array {
  return createHash('sha256').update(`medledger:api-token:v1\0${secret}`).digest();
}

function keyOf(secret: string): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', utf8(secret), new Uint8Array(0), 'medledger:api-token-keys:v1', 32),
  );
}

function aadOf(id: string): Uint8Array {
  return utf8(`medledger:api-token:${id}`);
}
