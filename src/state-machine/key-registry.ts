/**
 * @module
 * The identity directory, a deterministic state machine replayed from the chain: organizations
 * (`org.join`) and keys (`identity.register` adds an Ed25519 key with a role, its organization, its
 * X25519 encryption key and, for a patient, the patient's blind id; `identity.revoke` ends it). The
 * genesis block registers the first node key, self-signed. Changes take effect from the next block, so
 * all transactions of a block are checked against the same state (their signatures verify in parallel).
 * `check` applies the signer rules of every transaction type (see tx-rules.ts). Member node keys come
 * from the genesis block or from a membership change a quorum of members approved (membership.ts).
 * Keys, which grow with the users, live in a KeyTable (in memory or on disk); organizations, member
 * nodes and membership proposals, which grow with the consortium, stay here and are saved as a
 * {@link DirectorySnapshot} when they change.
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf, publicKeyObject } from '../core/keys.ts';
import type { Tx, TxType } from '../core/tx.ts';
import { MemoryKeyTable } from './key-table.ts';
import type { KeyEntry, KeyTable } from './key-table.ts';
import { parseOrgJoin, parseRegister, parseRevoke } from './payloads.ts';
import type { RegisterPayload, Role } from './payloads.ts';
import { checkTxRules } from './tx-rules.ts';
import type { RuleViolation } from './tx-rules.ts';
import { MemberProposals } from './membership.ts';
import type { MemberProposal, StoredProposal } from './membership.ts';

export { ROLES } from './payloads.ts';
export type { Role } from './payloads.ts';
export type { KeyEntry } from './key-table.ts';

/** Transaction types that change the directory: replayed to rebuild it at any height. */
export const DIRECTORY_TX_TYPES: readonly TxType[] = [
  'chain.genesis',
  'identity.register',
  'identity.revoke',
  'org.join',
  'member.propose',
  'member.approve',
];

export interface OrgEntry {
  readonly org: string;
  readonly name: string;
  readonly encryptionKey: string;
  readonly joinedAt: number;
  /** Key id of the node that joined it (it holds the organization's private key). */
  readonly host: string;
}

export type { RuleViolation } from './tx-rules.ts';

/** The directory apart from its keys, as JSON: what grows with the consortium, not with the users. */
export interface DirectorySnapshot {
  readonly orgs: readonly OrgEntry[];
  /** Organization → the node key it is reserved for. */
  readonly nodeOrgs: readonly (readonly [string, string])[];
  readonly proposals: readonly StoredProposal[];
}

export class KeyRegistry {
  readonly #keys: KeyTable;
  readonly #orgs: Map<string, OrgEntry>;
  readonly #proposals: MemberProposals;
  /** The node keys among the entries (votes and quorums ask for them often). */
  readonly #nodes = new Map<string, KeyEntry>();
  /** Organizations reserved for a node admitted by the members (org → its node key id). */
  readonly #nodeOrgs: Map<string, string>;
  #changes = 0;

  /** A directory over `keys`, with the rest as `snapshot` saved it (both empty by default). */
  constructor(keys: KeyTable = new MemoryKeyTable(), snapshot?: DirectorySnapshot) {
    this.#keys = keys;
    this.#orgs = new Map((snapshot?.orgs ?? []).map((o) => [o.org, o]));
    this.#nodeOrgs = new Map(snapshot?.nodeOrgs ?? []);
    this.#proposals = new MemberProposals(snapshot?.proposals);
    for (const e of keys.withRole('node')) this.#nodes.set(e.keyId, e);
  }

  /** The directory apart from its keys, to save. */
  snapshot(): DirectorySnapshot {
    return {
      orgs: [...this.#orgs.values()],
      nodeOrgs: [...this.#nodeOrgs],
      proposals: this.#proposals.stored(),
    };
  }

  /** Grows whenever what {@link snapshot} returns may have changed. */
  get snapshotChanges(): number {
    return this.#changes;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The active (registered, not revoked) key, or undefined. */
  active(keyId: string): KeyEntry | undefined {
    const e = this.#keys.get(keyId);
    return e && e.revokedAt === undefined ? e : undefined;
  }

  entry(keyId: string): KeyEntry | undefined {
    return this.#keys.get(keyId);
  }

  /** Every key ever registered, in order (read in pages from disk: do not collect it whole). */
  entries(): Iterable<KeyEntry> {
    return this.#keys.entries();
  }

  /** The keys of one role (staff roles are few; patients are many). */
  withRole(role: Role): Iterable<KeyEntry> {
    return this.#keys.withRole(role);
  }

  org(org: string): OrgEntry | undefined {
    return this.#orgs.get(org);
  }

  orgs(): IterableIterator<OrgEntry> {
    return this.#orgs.values();
  }

  /** Key ids of the active node keys: the member nodes that vote in a consortium. */
  nodeKeys(): Set<string> {
    const s = new Set<string>();
    for (const e of this.#nodes.values()) if (e.revokedAt === undefined) s.add(e.keyId);
    return s;
  }

  /**
   * The member node keys that vote on block `height`: registered in an earlier block (the genesis
   * members for block 0) and not revoked before it.
   */
  nodeKeysAt(height: number): Set<string> {
    const s = new Set<string>();
    for (const e of this.#nodes.values())
      if (
        (e.registeredAt < height || e.registeredAt === 0) &&
        (e.revokedAt === undefined || e.revokedAt >= height)
      )
        s.add(e.keyId);
    return s;
  }

  /** Membership proposals (member.propose), decided or open. */
  proposals(): IterableIterator<MemberProposal> {
    return this.#proposals.all();
  }

  proposal(id: string): MemberProposal | undefined {
    return this.#proposals.get(id);
  }

  /** The node key an admitted member's organization is reserved for, if any. */
  orgReservedFor(org: string): string | undefined {
    return this.#nodeOrgs.get(org);
  }

  /** Checks a member.propose / member.approve against the open proposals and the members. */
  checkMembership(tx: Tx): RuleViolation {
    const v = this.#proposals.check(
      tx,
      this.nodeKeys(),
      (k) => this.#keys.get(k) !== undefined,
      (org) => this.#orgs.has(org) || this.#nodeOrgs.has(org),
    );
    return v && { kind: v.malformed ? 'tx-decode' : 'tx-not-permitted', detail: v.detail };
  }

  /** Active identities of a patient (by blind id). */
  patientKeys(patient: string): KeyEntry[] {
    return this.#keys
      .ofPatient(patient)
      .map((k) => this.active(k))
      .filter((e) => e !== undefined);
  }

  /**
   * Checks `tx` against the current state: the signer must be active and allowed to submit this type.
   * In the genesis block a node key may register itself and the chain parameters.
   */
  check(tx: Tx, height: number): RuleViolation {
    const signer = this.active(tx.body.signer);
    const t = tx.body.type;
    if (height === 0 && !signer) {
      if (t === 'chain.genesis') return;
      if (t === 'identity.register') {
        const p = parseRegister(tx.body.payload);
        if (typeof p === 'string') return { kind: 'tx-decode', detail: p };
        if (p.role === 'node' && keyIdOf(fromHex(p.publicKey, 32, 'publicKey')) === tx.body.signer) return;
      }
    }
    if (!signer) {
      const known = this.#keys.get(tx.body.signer);
      return {
        kind: 'tx-unknown-signer',
        detail: known ? `signer revoked at height ${String(known.revokedAt)}` : 'signer is not registered',
      };
    }
    if (t === 'chain.genesis' && height !== 0)
      return { kind: 'tx-not-permitted', detail: 'chain.genesis only in block 0' };
    return checkTxRules(this, signer, tx);
  }

  /** Applies the directory effects of a block's transactions (after the whole block was checked). */
  apply(txs: readonly Tx[], height: number): void {
    for (const tx of txs) {
      const t = tx.body.type;
      if (t === 'identity.register') this.#register(tx, height);
      else if (t === 'identity.revoke') {
        const target = parseRevoke(tx.body.payload);
        if (typeof target !== 'string') this.#revoke(target.keyId, height);
      } else if (t === 'member.propose' || t === 'member.approve') {
        const d = this.#proposals.apply(tx, height, this.nodeKeys());
        this.#changes++;
        if (d?.action === 'add' && d.publicKey !== undefined && d.org !== undefined) {
          this.#add(d.publicKey, { role: 'node', org: d.org }, height);
          this.#nodeOrgs.set(d.org, d.keyId);
        } else if (d?.action === 'remove') this.#revoke(d.keyId, height);
      } else if (t === 'org.join') {
        const p = parseOrgJoin(tx.body.payload);
        if (typeof p === 'string' || this.#orgs.has(p.org)) continue;
        this.#changes++;
        this.#orgs.set(p.org, {
          org: p.org,
          name: p.name,
          encryptionKey: p.encryptionKey,
          joinedAt: height,
          host: tx.body.signer,
        });
      }
    }
  }

  #register(tx: Tx, height: number): void {
    const p = parseRegister(tx.body.payload);
    if (typeof p === 'string') return;
    // Who asked for a patient's binding is the access log's (access-events.ts), not the key's.
    const { publicKey, requestedBy: _asked, ...rest } = p;
    this.#add(publicKey, rest, height);
  }

  #revoke(keyId: string, height: number): void {
    const e = this.#keys.get(keyId);
    if (!e || e.revokedAt !== undefined) return;
    this.#keys.revoke(keyId, height);
    if (this.#nodes.has(keyId)) this.#nodes.set(keyId, { ...e, revokedAt: height });
  }

  /** Adds a key; a known key stays as it was. */
  #add(publicKey: string, fields: Omit<RegisterPayload, 'publicKey'>, height: number): void {
    const raw = fromHex(publicKey, 32, 'publicKey');
    const keyId = keyIdOf(raw);
    if (this.#keys.get(keyId) !== undefined) return;
    const e: KeyEntry = {
      keyId,
      publicKey: publicKeyObject(raw),
      publicKeyHex: publicKey,
      ...fields,
      registeredAt: height,
    };
    this.#keys.add(e);
    if (e.role === 'node') this.#nodes.set(keyId, e);
  }
}
