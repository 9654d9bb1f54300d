/**
 * @module
 * Brute force at small parameters: the real limiter allows exactly its quota per window (checked
 * against hand-counted windows, including a per-address limit below the per-account one), every
 * wrong guess is rejected by the real verifiers while the right secret passes, the scrypt cost is
 * read from a data directory, and the key-space times are the measured rates applied.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateX25519 } from '../core/hpke.ts';
import { signerFromSeed } from '../core/keys.ts';
import { Accounts } from '../medical/accounts.ts';
import { SqliteVault } from '../medical/sqlite-vault.ts';
import { KEY_SPACES, runBruteforce, simulateLimiter } from './bruteforce.ts';

const root = mkdtempSync(join(tmpdir(), 'medledger-attack-bruteforce-test-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
const TINY = { N: 2 ** 10, r: 8, p: 1 };

describe('simulateLimiter', () => {
  it('allows 5 guesses per account per 15 minutes: 480 a day', () => {
    const r = simulateLimiter({ perAddress: 20, perAccount: 5, windowMs: 15 * 60_000 }, 24, false);
    assert.equal(r.guessesAllowed, 480);
    assert.equal(r.perSec, 480 / 86_400);
    assert.ok(r.refused >= 95);
  });

  it('a lower per-address limit binds one address, not rotating ones', () => {
    const opts = { perAddress: 2, perAccount: 5, windowMs: 60_000 };
    assert.equal(simulateLimiter(opts, 1, false).guessesAllowed, 2 * 60);
    assert.equal(simulateLimiter(opts, 1, true).guessesAllowed, 5 * 60);
  });
});

describe('bruteforce', () => {
  it('every wrong guess is rejected, the right secrets pass, and the times follow the rates', async () => {
    const b = await runBruteforce({
      kdf: TINY,
      passwordGuesses: 4,
      parallelGuesses: 4,
      tokenGuesses: 300,
      simulatedHours: 2,
    });
    assert.deepEqual(b.kdf, { ...TINY, source: 'option' });
    for (const g of [b.password.sequential, b.password.parallel, b.token]) {
      assert.equal(g.rejected, g.guesses);
      assert.ok(g.perSec > 0 && Number.isFinite(g.perSec));
    }
    assert.equal(b.password.control, true);
    assert.equal(b.token.control, true);
    assert.equal(b.limiter.oneAddress.guessesAllowed, 5 * 8);

    assert.deepEqual(
      b.keySpaces.map((k) => k.size),
      KEY_SPACES.map((k) => k.size),
    );
    assert.equal(b.keySpaces[0]!.size, 36 ** 8);
    assert.equal(b.keySpaces[1]!.size, 95 ** 8);
    assert.equal(b.keySpaces[4]!.bits, 256);
    const login = Math.max(b.password.sequential.perSec, b.password.parallel.perSec);
    const limited = Math.min(login, b.limiter.oneAddress.perSec);
    for (const row of b.keySpaces) {
      const want = row.kind === 'password' ? [login, limited] : [b.token.perSec];
      assert.deepEqual(
        row.attacks.map((a) => a.guessesPerSec),
        want,
      );
      for (const a of row.attacks) {
        assert.equal(a.exhaust.seconds, row.size / a.guessesPerSec);
        assert.equal(a.expected.seconds, a.exhaust.seconds / 2);
        assert.equal(a.exhaust.years, a.exhaust.seconds / (365.25 * 86_400));
      }
    }
    // 8 printable characters behind the limiter outlast the universe's age.
    assert.ok(b.keySpaces[1]!.attacks[1]!.exhaust.years > 1.3787e10);
  });

  it("measures at the data directory's scrypt cost", async () => {
    const dir = join(root, 'node');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const vault = new SqliteVault(join(dir, 'vault.sqlite'));
    const seed = randomBytes(32);
    new Accounts(vault, randomBytes(32), { N: 2 ** 11, r: 8, p: 1 }).create({
      email: 'someone@example.org',
      name: 'Someone',
      password: 'correct horse battery',
      role: 'doctor',
      org: 'x',
      signer: signerFromSeed(seed),
      seed,
      encryption: generateX25519(),
    });
    vault.close();
    const b = await runBruteforce({ dataDir: dir, passwordGuesses: 1, parallelGuesses: 1, tokenGuesses: 10 });
    assert.deepEqual(b.kdf, { N: 2 ** 11, r: 8, p: 1, source: 'data dir' });
  });
});
