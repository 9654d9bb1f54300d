/**
 * @module
 * Shared fixtures of the ChainNode tests: temporary directories removed after the file's tests, a
 * settable clock, and key registration through the node key.
 */
import { randomBytes } from 'node:crypto';
import type { Json } from '../core/canonical-json.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fromHex, toHex } from '../core/bytes.ts';
import type { Signer } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import type { ChainNode } from './chain-node.ts';

export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh empty directory under the OS temp dir, removed when the file's tests end. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'medledger-ledger-test-'));
  dirs.push(d);
  return d;
}

/** A settable clock, so transaction and block times are reproducible. */
export function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export const h32 = (hex: string): Uint8Array => fromHex(hex, 32, 'hash');

export const TEST_ORG = 'test-org';

/** A valid identity.register payload for `key` with `role` in the test organization. */
export function registration(key: Signer, role: string): Json {
  if (role === 'node') return { publicKey: toHex(key.publicKey), role };
  return {
    publicKey: toHex(key.publicKey),
    role,
    org: TEST_ORG,
    encryptionKey: toHex(randomBytes(32)),
    ...(role === 'patient' ? { patient: toHex(randomBytes(32)) } : {}),
  };
}

/** Joins the test organization (once) and mines it. */
export async function ensureTestOrg(ledger: ChainNode, now: number): Promise<void> {
  if (ledger.hasOrg(TEST_ORG)) return;
  await ledger.submit(
    createTx(
      ledger.signer,
      'org.join',
      { org: TEST_ORG, name: 'Test Hospital', encryptionKey: toHex(randomBytes(32)) },
      { time: now },
    ),
  );
  await ledger.mine();
}

/** Registers `key` with `role` through the node key and mines it into the next block. */
export async function registerKey(ledger: ChainNode, key: Signer, role: string, now: number): Promise<void> {
  if (role !== 'node') await ensureTestOrg(ledger, now);
  await ledger.submit(createTx(ledger.signer, 'identity.register', registration(key, role), { time: now }));
  await ledger.mine();
}

/** Two patients, pa and pb, with one Observation each (the records the on-disk state tests start from). */
export const TWO_PATIENTS: readonly Record<string, unknown>[] = [
  { resourceType: 'Patient', id: 'pa', gender: 'female' },
  { resourceType: 'Patient', id: 'pb', gender: 'male' },
  { resourceType: 'Observation', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/pa' } },
  { resourceType: 'Observation', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient/pb' } },
];
