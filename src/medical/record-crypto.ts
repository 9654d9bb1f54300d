/**
 * @module
 * Record envelopes on a node: seal a FHIR resource under a fresh per-record key, wrap that key with
 * HPKE to each entitled recipient, and open a record with whichever key the node holds for the caller.
 * The AAD binds the ciphertext and every wrapped key to the record id, so neither can be moved to
 * another record.
 */
import type { Resource } from '@medplum/fhirtypes';
import { canonicalize } from '../core/canonical-json.ts';
import { abytes, fromHex, toHex, utf8 } from '../core/bytes.ts';
import type { Json } from '../core/canonical-json.ts';
import { decryptRecord, encryptRecord, keyWrapper, unwrapKey } from '../core/envelope.ts';
import type { KeyWrapper } from '../core/envelope.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import type { KeyRegistry } from '../state-machine/key-registry.ts';
import type { MedicalStateView } from '../state-machine/medical-state.ts';
import type { WriteBasis } from '../state-machine/payloads.ts';
import type { Recipient, Vault, WrappedKeyRow } from './vault.ts';
import { sha256Hex } from './vault.ts';

export interface RecipientKey {
  readonly recipient: Recipient;
  readonly publicKey: Uint8Array;
}

export interface SealedRecord {
  readonly ciphertext: Uint8Array;
  readonly blob: string;
  readonly keys: WrappedKeyRow[];
}

/**
 * Who a new record of `patient` is wrapped to: the authoring organization, the patient's own keys, and
 * the organizations holding a current consent whose scope covers the resource type.
 */
export function recipientsFor(
  dir: KeyRegistry,
  state: MedicalStateView,
  now: number,
  patient: string | undefined,
  org: string,
  type: string,
): RecipientKey[] {
  const want = new Set<Recipient>([`org:${org}`]);
  if (patient) {
    for (const k of dir.patientKeys(patient)) want.add(`key:${k.keyId}`);
    for (const c of state.consentsOf(patient)) {
      if (c.revokedBy || c.validTo <= now || (c.scope.types && !c.scope.types.includes(type))) continue;
      const g = c.grantee.kind === 'organization' ? c.grantee.orgId : dir.active(c.grantee.keyId)?.org;
      if (g) want.add(`org:${g}`);
    }
  }
  return [...want].map((r) => recipientKey(dir, r)).filter((r): r is RecipientKey => r !== undefined);
}

/** The public key of a recipient, from the directory. */
export function recipientKey(dir: KeyRegistry, recipient: Recipient): RecipientKey | undefined {
  if (recipient.startsWith('org:')) {
    const o = dir.org(recipient.slice(4));
    return o ? { recipient, publicKey: fromHex(o.encryptionKey, 32, 'encryptionKey') } : undefined;
  }
  const e = dir.active(recipient.slice(4));
  return e?.encryptionKey
    ? { recipient, publicKey: fromHex(e.encryptionKey, 32, 'encryptionKey') }
    : undefined;
}

/** What sealing a record takes: its id, its body (canonical JSON, UTF-8) and who its key is wrapped to. */
export interface SealJob {
  readonly recordId: string;
  readonly plaintext: Uint8Array;
  readonly recipients: readonly RecipientKey[];
}

/** The job that seals `resource` (its canonical JSON) as record `recordId`. */
export function sealJob(recordId: string, resource: Resource, recipients: readonly RecipientKey[]): SealJob {
  for (const r of recipients) abytes(r.publicKey, 32, `publicKey of ${r.recipient}`);
  return { recordId, plaintext: utf8(canonicalize(resource)), recipients };
}

/**
 * The payload of the `record.add` / `record.amend` transaction of a sealed record: no PHI, its hash;
 * with the `basis` of a user's write, whose access event it then is (payloads.ts RecordPayload).
 */
export function recordPayload(
  recordId: string,
  sealed: SealedRecord,
  patient: string | undefined,
  org: string,
  amends?: string,
  basis?: WriteBasis,
): Json {
  return {
    record: recordId,
    ...(patient ? { patient } : {}),
    org,
    blob: sealed.blob,
    size: sealed.ciphertext.length,
    ...(amends ? { amends } : {}),
    ...(basis ? { basis } : {}),
  };
}

/**
 * Key wrappers by recipient public key (hex), shared by the records sealed together: one HPKE context
 * per recipient and batch instead of one per wrap (envelope.ts {@link keyWrapper}).
 */
export type Wrappers = Map<string, KeyWrapper>;

/** The wrapper of `wrappers` for `publicKey`, a fresh one if it has none or already wrapped `recordId`. */
export function wrapperFor(wrappers: Wrappers, publicKey: Uint8Array, recordId: string): KeyWrapper {
  const k = toHex(publicKey);
  let w = wrappers.get(k);
  if (!w || w.has(recordId)) wrappers.set(k, (w = keyWrapper(publicKey)));
  return w;
}

/**
 * Encrypts under a fresh key, wraps that key to each recipient (through `wrappers`, shared with the
 * other records of a batch), and names the ciphertext by its hash.
 */
export function seal(job: SealJob, wrappers: Wrappers = new Map()): SealedRecord {
  const { recordId } = job;
  const { key, ciphertext } = encryptRecord(job.plaintext, utf8(recordId));
  try {
    const keys = job.recipients.map((r) => ({
      record: recordId,
      recipient: r.recipient,
      ...wrapperFor(wrappers, r.publicKey, recordId).wrap(key, recordId),
    }));
    return { ciphertext, blob: sha256Hex(ciphertext), keys };
  } finally {
    key.fill(0);
  }
}

/** Seals each job, the batch sharing its wrappers; a job that throws gives its error, not the batch's. */
export function sealEach(jobs: readonly SealJob[]): (SealedRecord | Error)[] {
  const wrappers: Wrappers = new Map();
  return jobs.map((j) => {
    try {
      return seal(j, wrappers);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  });
}

export function sealRecord(
  recordId: string,
  resource: Resource,
  recipients: readonly RecipientKey[],
): SealedRecord {
  return seal(sealJob(recordId, resource, recipients));
}

/**
 * The record key, unwrapped with the first held key that has a wrap; undefined if none does. A key a
 * held recipient's wrap already opened is taken from the vault's memory (wraps are only ever added,
 * or erased with the record and that memory).
 */
export function recordKey(
  vault: Vault,
  recordId: string,
  held: readonly { recipient: Recipient; key: X25519KeyPair }[],
): Uint8Array | undefined {
  for (const h of held) {
    const known = vault.unwrappedKey(recordId, h.recipient);
    if (known) return known;
  }
  const wraps = vault.keysOf(recordId);
  for (const h of held) {
    const w = wraps.get(h.recipient);
    if (!w) continue;
    const key = unwrapKey(w, h.key, recordId);
    vault.rememberUnwrapped(recordId, h.recipient, key);
    return key;
  }
  return undefined;
}

/** Opens a record's ciphertext with its key. */
export function openRecord(
  vault: Vault,
  recordId: string,
  blob: string,
  key: Uint8Array,
): Resource | undefined {
  const ct = vault.blob(recordId, blob);
  if (!ct) return undefined;
  return JSON.parse(Buffer.from(decryptRecord(key, ct, utf8(recordId))).toString()) as Resource;
}
