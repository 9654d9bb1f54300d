/**
 * @module
 * The off-chain half of the integrity check: every record's ciphertext is in the vault and hashes to
 * the blob hash on chain, unless the record was erased — then it must be gone, and it is reported as
 * erased, not tampered. A pass is a generator yielding before each record, so a serving node can give
 * the event loop back between slices of records (the integrity monitor runs it every few seconds).
 */
import { setImmediate } from 'node:timers/promises';
import type { Lookup, RecordEntry } from '../state-machine/medical-state.ts';
import { sha256Hex } from './vault.ts';
import type { Vault } from './vault.ts';

export interface VaultProblem {
  readonly record: string;
  readonly height: number;
  /**
   * `access-log`, `medical-state`: the access log or the state tables on disk depart from what the chain
   * gives (`record` is empty, `height` is where they first differ).
   */
  readonly kind: 'blob-missing' | 'blob-mismatch' | 'erasure-incomplete' | 'access-log' | 'medical-state';
  readonly detail: string;
  readonly expected?: string;
  readonly found?: string;
}

export interface VaultReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly erased: readonly { record: string; by: string; height: number }[];
  readonly problems: readonly VaultProblem[];
}

/**
 * Checks every record of `records` against `vault`, yielding before each; blobs in `replicating` are
 * still being fetched from the member that wrote them. Each record is checked as it is when its turn
 * comes: between slices it may have been erased (its blob gone on purpose).
 */
export function* vaultChecks(
  records: Lookup<RecordEntry> | ReadonlyMap<string, RecordEntry>,
  vault: Vault,
  replicating: ReadonlySet<string>,
): Generator<undefined, VaultReport> {
  const problems: VaultProblem[] = [];
  const erased: { record: string; by: string; height: number }[] = [];
  let checked = 0;
  for (const listed of records.values()) {
    yield;
    const r = records.get(listed.id) ?? listed;
    if (r.erasedBy) {
      erased.push({ record: r.id, by: r.erasedBy, height: r.height });
      if (vault.hasBlob(r.id, r.blob) || vault.keysOf(r.id).size > 0)
        problems.push({
          record: r.id,
          height: r.height,
          kind: 'erasure-incomplete',
          detail: `erased by ${r.erasedBy} but data remains`,
        });
      continue;
    }
    checked++;
    const data = vault.blob(r.id, r.blob);
    if (!data && replicating.has(r.blob)) continue;
    if (!data) {
      problems.push({
        record: r.id,
        height: r.height,
        kind: 'blob-missing',
        detail: `ciphertext ${r.blob} is missing`,
      });
      continue;
    }
    const found = sha256Hex(data);
    if (found !== r.blob)
      problems.push({
        record: r.id,
        height: r.height,
        kind: 'blob-mismatch',
        detail: 'ciphertext does not hash to the hash on chain',
        expected: r.blob,
        found,
      });
  }
  return { ok: problems.length === 0, checked, erased, problems };
}

/** What a pass over ciphertexts alone found: positions in the list of hashes it was given. */
export interface BlobFindings {
  readonly missing: readonly number[];
  readonly mismatched: readonly { readonly at: number; readonly found: string }[];
}

/**
 * The ciphertexts of `records` with `hashes` (their SHA-256s, 64 hex digits each, concatenated) that
 * `read` does not find or that hash to something else: the expensive half of a pass (reading and
 * hashing every ciphertext), which needs nothing but the vault, so the monitor runs it in a thread of
 * its own.
 */
export function blobFindings(
  records: readonly string[],
  hashes: string,
  read: (record: string, hash: Buffer) => Uint8Array | undefined,
): BlobFindings {
  if (hashes.length !== records.length * 64) throw new RangeError('hashes: want 64 hex digits per record');
  const missing: number[] = [];
  const mismatched: { at: number; found: string }[] = [];
  for (let at = 0; at < records.length; at++) {
    const hex = hashes.slice(at * 64, at * 64 + 64);
    const data = read(records[at]!, Buffer.from(hex, 'hex'));
    if (!data) {
      missing.push(at);
      continue;
    }
    const found = sha256Hex(data);
    if (found !== hex) mismatched.push({ at, found });
  }
  return { missing, mismatched };
}

/** Runs a whole pass at once. */
export function runChecks(checks: Generator<undefined, VaultReport>): VaultReport {
  for (;;) {
    const step = checks.next();
    if (step.done) return step.value;
  }
}

/** Runs a pass in slices of `slice` records, giving the event loop back between slices. */
export async function runChecksInSlices(
  checks: Generator<undefined, VaultReport>,
  slice = 256,
): Promise<VaultReport> {
  for (let n = 1; ; n++) {
    const step = checks.next();
    if (step.done) return step.value;
    if (n % slice === 0) await setImmediate();
  }
}
