/**
 * @module
 * The identity directory, a deterministic state machine replayed from the chain: organizations
 * (`org.join`) and keys (`identity.register` adds an Ed25519 key with a role, its organization, its
 * X25519 encryption key and, for a patient, the patient's blind id; `identity.revoke` ends it). The
 * genesis block registers the first node key, self-signed. Changes take effect from the next block, so
 * all transactions of a block are checked against the same state (their signatures verify in parallel).
 * `check` applies the signer rules of every transaction type (see tx-rules.ts). Member node keys come
 * from the genesis block or from a membership change a quorum of members approved (membership.ts).
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf, publicKeyObject } from '../core/keys.ts';
import type { KeyObject } from 'node:crypto';
import type { Tx, TxType } from '../core/tx.ts';
import { parseOrgJoin, parseRegister, parseRevoke } from './payloads.ts';
import type { RegisterPayload, Role } from './payloads.ts';
import { checkTxRules } from './tx-rules.ts';
import { MemberProposals } from './membership.ts';
import type { MemberProposal } from './membership.ts';

export { ROLES } from './payloads.ts';
export type { Role } from './payloads.ts';

/** Transaction types that change the directory: replayed to rebuild it at any height. */
export const DIRECTORY_TX_TYPES: readonly TxType[] = [
  'chain.genesis',
  'identity.register',
  'identity.revoke',
  'org.join',
  'member.propose',
  'member.approve',
];

export interface KeyEntry {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyHex: string;
  readonly role: Role;
  readonly org?: string;
  readonly encryptionKey?: string;
  /** Blind id of the patient (role patient). */
  readonly patient?: string;
  readonly registeredAt: number;
  revokedAt?: number;
}

export interface OrgEntry {
  readonly org: string;
  readonly name: string;
  readonly encryptionKey: string;
  readonly joinedAt: number;
  /** Key id of the node that joined it (it holds the organization's private key). */
  readonly host: string;
}

/** Why a transaction is not acceptable, or undefined when it is. */
export type RuleViolation =
  { kind: 'tx-unknown-signer' | 'tx-not-permitted' | 'tx-decode'; detail: string } | undefined;

export class KeyRegistry {
  readonly #keys = new Map<string, KeyEntry>();
  readonly #orgs = new Map<string, OrgEntry>();
  readonly #patients = new Map<string, string[]>();
  readonly #proposals = new MemberProposals();
  /** The node keys among the entries (votes and quorums ask for them often). */
  readonly #nodes: KeyEntry[] = [];
  /** Organizations reserved for a node admitted by the members (org → its node key id). */
  readonly #nodeOrgs = new Map<string, string>();

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

  entries(): IterableIterator<KeyEntry> {
    return this.#keys.values();
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
    for (const e of this.#nodes) if (e.revokedAt === undefined) s.add(e.keyId);
    return s;
  }

  /**
   * The member node keys that vote on block `height`: registered in an earlier block (the genesis
   * members for block 0) and not revoked before it.
   */
  nodeKeysAt(height: number): Set<string> {
    const s = new Set<string>();
    for (const e of this.#nodes)
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
      (k) => this.#keys.has(k),
      (org) => this.#orgs.has(org) || this.#nodeOrgs.has(org),
    );
    return v && { kind: v.malformed ? 'tx-decode' : 'tx-not-permitted', detail: v.detail };
  }

  /** Active identities of a patient (by blind id). */
  patientKeys(patient: string): KeyEntry[] {
    return (this.#patients.get(patient) ?? []).map((k) => this.active(k)).filter((e) => e !== undefined);
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
        const e = typeof target === 'string' ? undefined : this.#keys.get(target.keyId);
        if (e && e.revokedAt === undefined) e.revokedAt = height;
      } else if (t === 'member.propose' || t === 'member.approve') {
        const d = this.#proposals.apply(tx, height, this.nodeKeys());
        if (d?.action === 'add' && d.publicKey !== undefined && d.org !== undefined) {
          this.#add(d.publicKey, { role: 'node', org: d.org }, height);
          this.#nodeOrgs.set(d.org, d.keyId);
        } else if (d?.action === 'remove') {
          const e = this.#keys.get(d.keyId);
          if (e && e.revokedAt === undefined) e.revokedAt = height;
        }
      } else if (t === 'org.join') {
        const p = parseOrgJoin(tx.body.payload);
        if (typeof p !== 'string' && !this.#orgs.has(p.org))
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
    const { publicKey, ...rest } = p;
    const keyId = this.#add(publicKey, rest, height);
    if (keyId !== undefined && p.patient !== undefined)
      this.#patients.set(p.patient, [...(this.#patients.get(p.patient) ?? []), keyId]);
  }

  /** Adds a key and returns its id; a known key stays as it was (undefined). */
  #add(publicKey: string, fields: Omit<RegisterPayload, 'publicKey'>, height: number): string | undefined {
    const raw = fromHex(publicKey, 32, 'publicKey');
    const keyId = keyIdOf(raw);
    if (this.#keys.has(keyId)) return undefined;
    const e: KeyEntry = {
      keyId,
      publicKey: publicKeyObject(raw),
      publicKeyHex: publicKey,
      ...fields,
      registeredAt: height,
    };
    this.#keys.set(keyId, e);
    if (e.role === 'node') this.#nodes.push(e);
    return keyId;
  }
}
