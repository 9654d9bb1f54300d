/**
 * @module
 * Record keys wrapped for the parties a consent entitles (docs/DESIGN.md, "Consent": granting to an
 * organization wraps the keys of the records in scope for it). Scope is enforced at read time by the
 * consent decision; a wrap only makes a record decryptable where the decision allows it.
 *
 * Two moments wrap: a grant, when it is submitted, wraps the patient's committed records
 * ({@link rewrap}); and every commit ({@link wrapForConsents}) closes the gap between them. A record
 * is wrapped for the consents committed when it is sealed, so one sealed before a grant commits but
 * committed after the grant was submitted (for an import, the whole import long) is in neither set:
 * at commit, such records are wrapped for the organizations of the patient's live consents, and a
 * committed grant wraps every committed record of its patient, with a key this node holds.
 */
import { unwrapKey } from '../core/envelope.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import type { Tx } from '../core/tx.ts';
import type { ConsentEntry } from '../state-machine/medical-state.ts';
import type { NodeServices, Session } from './node-services.ts';
import { recipientKey, wrapperFor } from './record-crypto.ts';
import type { Wrappers } from './record-crypto.ts';
import type { Recipient, WrappedKeyRow } from './vault.ts';

interface Held {
  readonly recipient: Recipient;
  readonly key: X25519KeyPair;
}

/**
 * Wraps of `recordId` for those of `to` that have none yet, opened with the first held key whose wrap
 * opens (a damaged wrap is passed over: the vault check reports it); appended to `out`. The wraps of
 * one call share a context per recipient (`wrappers`).
 */
function wrapMissing(
  node: NodeServices,
  held: readonly Held[],
  recordId: string,
  to: readonly Recipient[],
  out: WrappedKeyRow[],
  wrappers: Wrappers,
): void {
  const wraps = node.vault.keysOf(recordId);
  const missing = to.filter((r) => !wraps.has(r));
  if (missing.length === 0) return;
  let key: Uint8Array | undefined;
  for (const h of held) {
    const w = wraps.get(h.recipient);
    if (!w) continue;
    try {
      key = unwrapKey(w, h.key, recordId);
      break;
    } catch {
      // not this one
    }
  }
  if (!key) return;
  for (const r of missing) {
    const target = recipientKey(node.ledger.directory, r);
    if (target)
      out.push({
        record: recordId,
        recipient: r,
        ...wrapperFor(wrappers, target.publicKey, recordId).wrap(key, recordId),
      });
  }
}

/** The keys of the organizations this node hosts, and of `s` when given. */
function heldKeys(node: NodeServices, s?: Session): Held[] {
  return [
    ...(s ? [{ recipient: `key:${s.keyId}` as Recipient, key: s.encryption }] : []),
    ...node.hostedOrgs().map((o) => ({ recipient: `org:${o}` as Recipient, key: node.orgKey(o)! })),
  ];
}

/** Ids of every version of every record of `patient`. */
function versionsOf(node: NodeServices, patient: string): string[] {
  return node.state.recordsOf(patient).flatMap((r) => [r.id, ...r.amendedBy]);
}

/**
 * Wraps every record key of `patient` for `to`, unwrapping with the patient's own key or a key of an
 * organization this node hosts. Returns the number of wraps added.
 */
export function rewrap(node: NodeServices, s: Session | undefined, patient: string, to: Recipient): number {
  const held = heldKeys(node, s);
  const keys: WrappedKeyRow[] = [];
  const wrappers: Wrappers = new Map();
  for (const id of versionsOf(node, patient)) wrapMissing(node, held, id, [to], keys, wrappers);
  node.vault.put({ keys });
  return keys.length;
}

/** The organization a consent entitles: the grantee organization, or the practitioner's. */
function granteeOrg(node: NodeServices, c: ConsentEntry): string | undefined {
  return c.grantee.kind === 'organization'
    ? c.grantee.orgId
    : node.ledger.directory.active(c.grantee.keyId)?.org;
}

/** The organizations of `patient`'s consents in force now (any scope, as {@link rewrap} wraps). */
function consentedOrgs(node: NodeServices, patient: string): Recipient[] {
  const now = node.now;
  const orgs = new Set<Recipient>();
  for (const c of node.state.consentsOf(patient)) {
    if (c.revokedBy || c.validTo <= now) continue;
    const org = granteeOrg(node, c);
    if (org) orgs.add(`org:${org}`);
  }
  return [...orgs];
}

/**
 * Run on every committed block, after the medical state took it in: wraps its records for the
 * organizations of their patients' live consents, and the records of the patients it grants consent
 * for, where a wrap is missing. `sealedAt` gives the consent epoch (MedicalState.consentEpoch) at which
 * this node computed a record's recipients, if it did: a record sealed at the current epoch saw every
 * committed grant and is not looked at again (a vault read per record slowed bulk writes).
 * Returns the number of wraps added.
 */
export function wrapForConsents(
  node: NodeServices,
  txs: readonly Tx[],
  sealedAt: (recordId: string) => number | undefined,
): number {
  const held = heldKeys(node);
  if (held.length === 0) return 0;
  const keys: WrappedKeyRow[] = [];
  const wrappers: Wrappers = new Map();
  // Runs inside the commit of a block that is already stored: nothing here may throw. A record whose
  // wraps cannot be read or opened keeps its wraps as they are (the vault check reports damage).
  const wrap = (recordId: string, to: readonly Recipient[]): void => {
    if (node.state.records.get(recordId)?.erasedBy) return;
    try {
      wrapMissing(node, held, recordId, to, keys, wrappers);
    } catch {
      // left as it is
    }
  };
  for (const tx of txs) {
    const type = tx.body.type;
    if (type === 'record.add' || type === 'record.amend') {
      const id = (tx.body.payload as { record?: unknown }).record;
      if (typeof id !== 'string') continue;
      const epoch = sealedAt(id);
      const rec = node.state.records.get(id);
      if (!rec?.patient || rec.tx !== tx.id || epoch === node.state.consentEpoch) continue;
      const orgs = consentedOrgs(node, rec.patient);
      if (orgs.length > 0) wrap(rec.id, orgs);
    } else if (type === 'consent.grant') {
      const c = node.state.consents.get(tx.id);
      const org = c && !c.revokedBy && c.validTo > node.now ? granteeOrg(node, c) : undefined;
      if (!c || !org) continue;
      for (const id of versionsOf(node, c.patient)) wrap(id, [`org:${org}`]);
    }
  }
  if (keys.length === 0) return 0;
  try {
    node.vault.put({ keys });
  } catch {
    return 0; // the next grant or commit of these records tries again
  }
  return keys.length;
}
