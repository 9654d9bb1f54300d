/**
 * @module
 * The stated reason of a break-glass access, readable by the patient, the requester's organization and
 * the auditors, and no one else: sealed like a record (AES-256-GCM under a fresh key wrapped with HPKE
 * to each of them) and kept in the vault under an id that commits to it, the SHA-256 of a random salt
 * and the reason. The access event carries that id as `note`: the chain fixes the reason without
 * showing it, and a note changed in the vault no longer matches its id.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { utf8 } from '../core/bytes.ts';
import { decryptRecord } from '../core/envelope.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import type { KeyRegistry } from '../state-machine/key-registry.ts';
import { recipientKey, recordKey, sealJob } from './record-crypto.ts';
import type { RecipientKey } from './record-crypto.ts';
import { sealOne } from './seal-pool.ts';
import type { Recipient, Vault } from './vault.ts';

interface Note {
  readonly salt: string;
  readonly reason: string;
}

const idOf = (n: Note): string =>
  createHash('sha256').update(Buffer.from(n.salt, 'hex')).update(utf8(n.reason)).digest('hex');

/**
 * Seals `reason` for the patient's logins, organization `org` and every active auditor; resolves with
 * the note's id once it is in the vault.
 */
export async function sealNote(
  vault: Vault,
  dir: KeyRegistry,
  reason: string,
  patient: string | undefined,
  org: string | undefined,
): Promise<string> {
  const note: Note = { salt: randomBytes(32).toString('hex'), reason };
  const id = idOf(note);
  const want = new Set<Recipient>(org === undefined ? [] : [`org:${org}`]);
  if (patient !== undefined) for (const k of dir.patientKeys(patient)) want.add(`key:${k.keyId}`);
  for (const k of dir.withRole('auditor')) if (k.revokedAt === undefined) want.add(`key:${k.keyId}`);
  const recipients = [...want]
    .map((r) => recipientKey(dir, r))
    .filter((r): r is RecipientKey => r !== undefined);
  const sealed = await sealOne(sealJob(id, note as unknown as Resource, recipients));
  await vault.putSoon({ blobs: [{ record: id, data: sealed.ciphertext }], keys: sealed.keys });
  return id;
}

/** The reason in note `id`, if one of `held` opens it and it still matches its id. */
export function openNote(
  vault: Vault,
  id: string,
  held: readonly { recipient: Recipient; key: X25519KeyPair }[],
): string | undefined {
  const key = recordKey(vault, id, held);
  const ct = vault.recordBlob(id);
  if (!key || !ct) return undefined;
  const note = JSON.parse(Buffer.from(decryptRecord(key, ct, utf8(id))).toString()) as Note;
  return idOf(note) === id ? note.reason : undefined;
}
