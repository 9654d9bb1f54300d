/**
 * @module
 * Attack lab, scenario 3: brute-forcing credentials. Measures guesses per second against the real
 * password verifier (Accounts.login: scrypt, RFC 7914, at the node's cost) one at a time and many in
 * flight, and against the real API-token check (ApiTokens.resolve, knowing the token id, guessing the
 * secret). The real login limiter (LoginLimiter) is driven on a simulated clock, so its effect over a
 * day is measured in a moment. Then: time to exhaust realistic key spaces, and the expected time
 * (half of it). Every guess must be rejected with ML_ERR_AUTH_FAILED; a control with the right
 * secret must pass, or the measurement would mean nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LoginLimiter } from '../core/login-limiter.ts';
import type { LimiterOptions } from '../core/login-limiter.ts';
import { AuthFailedError, RateLimitedError } from '../core/errors.ts';
import { generateX25519 } from '../core/hpke.ts';
import { signerFromSeed } from '../core/keys.ts';
import { Accounts, DEFAULT_KDF } from '../medical/accounts.ts';
import type { KdfCost } from '../medical/accounts.ts';
import { ApiTokens } from '../medical/api-tokens.ts';
import { SqliteVault } from '../medical/sqlite-vault.ts';
import { duration, perSecond } from './units.ts';
import type { Duration } from './units.ts';
import { workspace } from './workspace.ts';

export interface BruteforceOptions {
  /** Password guesses one after another (default 20). */
  readonly passwordGuesses?: number;
  /** Password guesses in flight at once on the thread pool (default 4 per core). */
  readonly parallelGuesses?: number;
  readonly tokenGuesses?: number;
  /** scrypt cost (default: the one the data directory's accounts use, else the node default). */
  readonly kdf?: KdfCost;
  readonly dataDir?: string | undefined;
  readonly limiter?: Omit<LimiterOptions, 'now'>;
  /** Simulated time the limiter is driven for (default 24 h). */
  readonly simulatedHours?: number;
}

export interface GuessRate {
  readonly guesses: number;
  readonly rejected: number;
  readonly ms: number;
  readonly perSec: number;
}

export interface LimiterRun {
  readonly simulatedHours: number;
  readonly guessesAllowed: number;
  readonly refused: number;
  readonly perSec: number;
}

export interface KeySpaceRow {
  readonly space: string;
  readonly kind: 'password' | 'token';
  readonly size: number;
  readonly bits: number;
  readonly attacks: readonly {
    readonly attack: string;
    readonly guessesPerSec: number;
    readonly exhaust: Duration;
    /** On average the secret is found after half the space. */
    readonly expected: Duration;
  }[];
}

export interface BruteforceResult {
  readonly date: string;
  readonly kdf: KdfCost & { readonly source: 'data dir' | 'default' | 'option' };
  readonly password: {
    readonly sequential: GuessRate;
    readonly parallel: GuessRate;
    readonly control: boolean;
  };
  readonly token: GuessRate & { readonly control: boolean; readonly rateLimited: false };
  readonly limiter: {
    readonly perAccount: number;
    readonly perAddress: number;
    readonly windowMs: number;
    readonly oneAddress: LimiterRun;
    readonly rotatingAddresses: LimiterRun;
  };
  readonly keySpaces: readonly KeySpaceRow[];
  readonly notes: readonly string[];
}

export const KEY_SPACES = [
  { space: '8 chars, lowercase + digits (36^8)', kind: 'password', size: 36 ** 8 },
  { space: '8 chars, printable ASCII (95^8)', kind: 'password', size: 95 ** 8 },
  { space: '10 chars, printable ASCII (95^10, the node minimum length)', kind: 'password', size: 95 ** 10 },
  { space: '128-bit token', kind: 'token', size: 2 ** 128 },
  { space: '256-bit token (MedLedger API and session tokens)', kind: 'token', size: 2 ** 256 },
] as const;

const EMAIL = 'target@attack-lab.example';
const NOTES = [
  'The login limiter counts per node process and per account: a restart clears it, and each node of a consortium keeps its own.',
  'Bearer tokens (API and session) are not rate-limited; their 256-bit secrets make guessing hopeless anyway.',
  'An attacker with a copy of the vault guesses offline at the scrypt rate (the "no rate limit" rows), with no limiter at all.',
];

/** The scrypt cost the accounts of `dataDir` use (the most common), if any. */
function kdfOfDataDir(dataDir: string | undefined): KdfCost | undefined {
  const path = dataDir === undefined ? undefined : join(dataDir, 'vault.sqlite');
  if (path === undefined || !existsSync(path)) return undefined;
  const db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
  try {
    const rows = db.prepare('SELECT kdf FROM accounts').all() as { kdf: string }[];
    const counts = new Map<string, number>();
    for (const r of rows) {
      const { N, r: rr, p } = JSON.parse(r.kdf) as KdfCost;
      const k = JSON.stringify({ N, r: rr, p });
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const best = [...counts].sort((a, b) => b[1] - a[1])[0];
    return best ? (JSON.parse(best[0]) as KdfCost) : undefined;
  } catch {
    return undefined; // no accounts table: a bare ledger
  } finally {
    db.close();
  }
}

/** Runs `guess` n times; each must throw AuthFailedError (anything else is a harness failure). */
function timeGuesses(n: number, guess: (i: number) => unknown): GuessRate {
  let rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    try {
      guess(i);
    } catch (e) {
      if (!(e instanceof AuthFailedError)) throw e;
      rejected++;
    }
  }
  const ms = performance.now() - t0;
  return { guesses: n, rejected, ms, perSec: perSecond(n, ms) };
}

async function timeParallel(n: number, guess: (i: number) => Promise<unknown>): Promise<GuessRate> {
  const t0 = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => guess(i)));
  const ms = performance.now() - t0;
  for (const s of settled)
    if (s.status === 'rejected' && !(s.reason instanceof AuthFailedError)) throw s.reason;
  const rejected = settled.filter((s) => s.status === 'rejected').length;
  return { guesses: n, rejected, ms, perSec: perSecond(n, ms) };
}

/** Drives the real limiter against one account on a simulated clock, 1 ms per request. */
export function simulateLimiter(
  opts: Omit<LimiterOptions, 'now'>,
  hours: number,
  rotate: boolean,
): LimiterRun {
  let t = 0;
  const limiter = new LoginLimiter({ ...opts, now: () => t });
  const horizon = hours * 3_600_000;
  let allowed = 0;
  let refused = 0;
  for (let i = 0; t < horizon; i++) {
    const address = rotate ? `198.51.${String((i >> 8) & 255)}.${String(i & 255)}` : '203.0.113.7';
    try {
      limiter.attempt(address, EMAIL);
      allowed++;
      limiter.failed(EMAIL);
      t += 1;
    } catch (e) {
      if (!(e instanceof RateLimitedError)) throw e;
      refused++;
      t += e.retryAfterS * 1000;
    }
  }
  return { simulatedHours: hours, guessesAllowed: allowed, refused, perSec: allowed / (horizon / 1000) };
}

function keySpaces(login: number, limited: number, token: number): KeySpaceRow[] {
  const row = (attack: string, rate: number, size: number): KeySpaceRow['attacks'][number] => ({
    attack,
    guessesPerSec: rate,
    exhaust: duration(size / rate),
    expected: duration(size / 2 / rate),
  });
  return KEY_SPACES.map((s) => ({
    space: s.space,
    kind: s.kind,
    size: s.size,
    bits: Math.log2(s.size),
    attacks:
      s.kind === 'password'
        ? [
            row('password verifier, no rate limit', login, s.size),
            row('password verifier, with rate limit', Math.min(login, limited), s.size),
          ]
        : [row('API-token check, no rate limit', token, s.size)],
  }));
}

export async function runBruteforce(opts: BruteforceOptions = {}): Promise<BruteforceResult> {
  const fromDir = opts.kdf ? undefined : kdfOfDataDir(opts.dataDir);
  const kdf = opts.kdf ?? fromDir ?? DEFAULT_KDF;
  const ws = workspace('bruteforce');
  const vault = new SqliteVault(join(ws.dir, 'vault.sqlite'));
  try {
    const accounts = new Accounts(vault, randomBytes(32), kdf);
    const seed = randomBytes(32);
    const password = randomBytes(18).toString('base64url');
    accounts.create({
      email: EMAIL,
      name: 'Attack lab target',
      password,
      role: 'doctor',
      org: 'attack-lab',
      signer: signerFromSeed(seed),
      seed,
      encryption: generateX25519(),
    });
    const wrong = (i: number): string => `guess-${String(i)}-${randomBytes(6).toString('hex')}`;
    const sequential = timeGuesses(opts.passwordGuesses ?? 20, (i) => accounts.login(EMAIL, wrong(i)));
    const parallel = await timeParallel(opts.parallelGuesses ?? 4 * availableParallelism(), (i) =>
      accounts.loginAsync(EMAIL, wrong(i)),
    );
    const creds = accounts.login(EMAIL, password); // control: the right password passes

    const tokens = new ApiTokens(vault, (k) => accounts.byKeyId(k));
    const now = Date.now();
    const { token } = tokens.create(creds, 'attack lab', { now });
    const id = ApiTokens.idOf(token)!;
    const n = opts.tokenGuesses ?? 20_000;
    const guesses = Array.from({ length: n }, () => `mlt_${id}_${randomBytes(32).toString('base64url')}`);
    const tokenRate = timeGuesses(n, (i) => tokens.resolve(guesses[i]!, now));
    const tokenControl = tokens.resolve(token, now).keyId === creds.keyId;

    const limiterOpts = { perAddress: 20, perAccount: 5, windowMs: 15 * 60_000, ...opts.limiter };
    const hours = opts.simulatedHours ?? 24;
    const oneAddress = simulateLimiter(limiterOpts, hours, false);
    const rotatingAddresses = simulateLimiter(limiterOpts, hours, true);
    const login = Math.max(sequential.perSec, parallel.perSec);
    return {
      date: new Date().toISOString(),
      kdf: { N: kdf.N, r: kdf.r, p: kdf.p, source: opts.kdf ? 'option' : fromDir ? 'data dir' : 'default' },
      password: { sequential, parallel, control: creds.keyId.length === 64 },
      token: { ...tokenRate, control: tokenControl, rateLimited: false },
      limiter: { ...limiterOpts, oneAddress, rotatingAddresses },
      keySpaces: keySpaces(login, Math.max(oneAddress.perSec, rotatingAddresses.perSec), tokenRate.perSec),
      notes: NOTES,
    };
  } finally {
    vault.close();
    ws.dispose();
  }
}
