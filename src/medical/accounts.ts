/**
 * @module
 * User accounts of a node, kept in the vault. A password is never stored: scrypt (RFC 7914) turns it
 * into 64 bytes, the first half's SHA-256 is the stored verifier and the second half is the key that
 * seals the user's Ed25519 signing seed and X25519 private key (AES-256-GCM). So a copy of the vault
 * gives neither the password nor the private keys. Emails are looked up by HMAC under the node's data
 * key and stored sealed, like display names (a patient's email or name is PHI).
 * Login failures are generic and take the same time whether or not the account exists.
 */
import { createHash, createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { openAead, sealAead } from '../core/aead.ts';
import { fromHex, toHex, utf8 } from '../core/bytes.ts';
import { AccountExistsError, ArgumentValueError, AuthFailedError } from '../core/errors.ts';
import { x25519FromPrivate, x25519PrivateRaw } from '../core/hpke.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import { signerFromSeed } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import type { Role } from '../state-machine/payloads.ts';
import type { SqliteVault } from './sqlite-vault.ts';

export interface KdfCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Login cost: a quarter of the work of OWASP's scrypt floor (N=2^17, r=8, p=1), a slow login here. */
export const DEFAULT_KDF: KdfCost = { N: 2 ** 15, r: 8, p: 1 };
export const MIN_PASSWORD_LENGTH = 10;

export interface AccountInfo {
  readonly keyId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly org: string | undefined;
  readonly created: number;
}

export interface NewAccount {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly role: Role;
  readonly org?: string;
  readonly signer: Signer;
  /** Ed25519 seed of `signer` (32 bytes), sealed with the password. */
  readonly seed: Uint8Array;
  readonly encryption: X25519KeyPair;
}

/** What a successful login unseals: the user's keys, for this session only. */
export interface Credentials extends AccountInfo {
  readonly signer: Signer;
  readonly encryption: X25519KeyPair;
}

interface Row {
  key_id: string;
  email_sealed: Uint8Array;
  name_sealed: Uint8Array;
  role: Role;
  org: string | null;
  kdf: string;
  verifier: Uint8Array;
  sealed_keys: Uint8Array;
  created: number;
}

/** `<created>.<keyId>` → its parts; nothing (the first page) → before every account. */
function parseCursor(after: string | undefined): [number, string] {
  if (after === undefined) return [-1, ''];
  const m = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(after);
  if (!m) throw new ArgumentValueError('after', 'must be the cursor of a listed user');
  return [Number(m[1]), m[2]!];
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

export class Accounts {
  readonly #vault: SqliteVault;
  readonly #dataKey: Uint8Array;
  readonly #cost: KdfCost;
  /** Verifier of a random password: failed lookups do the same work as real ones. */
  readonly #decoy: { kdf: string; verifier: Uint8Array };

  constructor(vault: SqliteVault, dataKey: Uint8Array, cost: KdfCost = DEFAULT_KDF) {
    this.#vault = vault;
    this.#dataKey = dataKey;
    this.#cost = cost;
    const kdf = JSON.stringify({ ...cost, salt: toHex(randomBytes(16)) });
    this.#decoy = { kdf, verifier: randomBytes(32) };
  }

  /** Creates an account; throws AccountExistsError when the email is taken. */
  create(a: NewAccount, now = Date.now()): AccountInfo {
    const email = normalizeEmail(a.email);
    if (a.password.length < MIN_PASSWORD_LENGTH)
      throw new ArgumentValueError(
        'password',
        `must have at least ${String(MIN_PASSWORD_LENGTH)} characters`,
      );
    if (a.name.trim().length === 0 || a.name.length > 200)
      throw new ArgumentValueError('name', 'must be 1..200 characters');
    const kdf = JSON.stringify({ ...this.#cost, salt: toHex(randomBytes(16)) });
    const { verifier, sealKey } = derive(a.password, kdf);
    const secrets = utf8(
      JSON.stringify({ seed: toHex(a.seed), x25519: toHex(x25519PrivateRaw(a.encryption)) }),
    );
    const aad = utf8(`medledger:account:${a.signer.keyId}`);
    try {
      this.#vault.db
        .prepare(
          `INSERT INTO accounts (key_id, email_hash, email_sealed, name_sealed, role, org, kdf, verifier, sealed_keys, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.signer.keyId,
          this.#emailHash(email),
          sealAead(this.#dataKey, utf8(email), aad),
          sealAead(this.#dataKey, utf8(a.name), aad),
          a.role,
          a.org ?? null,
          kdf,
          verifier,
          sealAead(sealKey, secrets, aad),
          now,
        );
    } catch (e) {
      if (e instanceof Error && e.message.includes('UNIQUE')) throw new AccountExistsError();
      throw e;
    }
    return { keyId: a.signer.keyId, email, name: a.name, role: a.role, org: a.org, created: now };
  }

  /** Checks the password and unseals the user's keys; AuthFailedError for any failure. */
  login(email: string, password: string): Credentials {
    const row = this.#loginRow(email);
    return this.#unseal(row, derive(password, row?.kdf ?? this.#decoy.kdf));
  }

  /** `login` with scrypt on the libuv thread pool instead of the event loop. */
  async loginAsync(email: string, password: string): Promise<Credentials> {
    const row = this.#loginRow(email);
    return this.#unseal(row, await deriveAsync(password, row?.kdf ?? this.#decoy.kdf));
  }

  #loginRow(email: string): Row | undefined {
    try {
      return this.#row('email_hash = ?', this.#emailHash(normalizeEmail(email)));
    } catch {
      return undefined;
    }
  }

  #unseal(
    row: Row | undefined,
    { verifier, sealKey }: { verifier: Uint8Array; sealKey: Uint8Array },
  ): Credentials {
    const stored = row?.verifier ?? this.#decoy.verifier;
    if (!row || !timingSafeEqual(verifier, stored)) throw new AuthFailedError();
    const aad = utf8(`medledger:account:${row.key_id}`);
    const secrets = JSON.parse(
      Buffer.from(openAead(sealKey, row.sealed_keys, aad, 'account keys')).toString(),
    ) as {
      seed: string;
      x25519: string;
    };
    return {
      ...this.#info(row),
      signer: signerFromSeed(fromHex(secrets.seed, 32, 'seed')),
      encryption: x25519FromPrivate(fromHex(secrets.x25519, 32, 'x25519')),
    };
  }

  byKeyId(keyId: string): AccountInfo | undefined {
    const row = this.#row('key_id = ?', keyId);
    return row ? this.#info(row) : undefined;
  }

  byEmail(email: string): AccountInfo | undefined {
    const row = this.#row('email_hash = ?', this.#emailHash(normalizeEmail(email)));
    return row ? this.#info(row) : undefined;
  }

  /**
   * A page of the accounts of `org`, in the order they were created: those after `after` (the
   * `cursor` of the previous page's last account; none for the first page), at most `limit`.
   */
  page(
    org: string | undefined,
    after: string | undefined,
    limit: number,
  ): (AccountInfo & { cursor: string })[] {
    const [created, keyId] = parseCursor(after);
    const rows = this.#vault.db
      .prepare(
        `SELECT * FROM accounts WHERE org IS ? AND (created > ? OR (created = ? AND key_id > ?))
         ORDER BY org, created, key_id LIMIT ?`,
      )
      .all(org ?? null, created, created, keyId, limit) as unknown as Row[];
    return rows.map((r) => ({ ...this.#info(r), cursor: `${String(r.created)}.${r.key_id}` }));
  }

  list(): AccountInfo[] {
    const rows = this.#vault.db
      .prepare('SELECT * FROM accounts ORDER BY created, key_id')
      .all() as unknown as Row[];
    return rows.map((r) => this.#info(r));
  }

  #row(where: string, v: string | Uint8Array): Row | undefined {
    return this.#vault.db.prepare(`SELECT * FROM accounts WHERE ${where}`).get(v) as Row | undefined;
  }

  #info(row: Row): AccountInfo {
    const aad = utf8(`medledger:account:${row.key_id}`);
    const open = (b: Uint8Array): string =>
      Buffer.from(openAead(this.#dataKey, b, aad, 'account field')).toString();
    return {
      keyId: row.key_id,
      email: open(row.email_sealed),
      name: open(row.name_sealed),
      role: row.role,
      org: row.org ?? undefined,
      created: row.created,
    };
  }

  #emailHash(email: string): Uint8Array {
    return createHmac('sha256', this.#dataKey).update(`medledger:email:v1\0${email}`).digest();
  }
}

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e)) throw new ArgumentValueError('email', 'is not an email address');
  return e;
}

interface Derived {
  readonly verifier: Uint8Array;
  readonly sealKey: Uint8Array;
}

function scryptArgs(password: string, kdfJson: string): [string, Uint8Array, number, ScryptOptions] {
  const { N, r, p, salt } = JSON.parse(kdfJson) as KdfCost & { salt: string };
  return [
    password.normalize('NFKC'),
    fromHex(salt, 16, 'salt'),
    64,
    { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
  ];
}

function split(out: Buffer): Derived {
  return { verifier: createHash('sha256').update(out.subarray(0, 32)).digest(), sealKey: out.subarray(32) };
}

function derive(password: string, kdfJson: string): Derived {
  return split(scryptSync(...scryptArgs(password, kdfJson)));
}

function deriveAsync(password: string, kdfJson: string): Promise<Derived> {
  const [pw, salt, len, opts] = scryptArgs(password, kdfJson);
  return new Promise((resolve, reject) => {
    scrypt(pw, salt, len, opts, (err, out) => {
      if (err) reject(err);
      else resolve(split(out));
    });
  });
}
