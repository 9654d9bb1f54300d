/**
 * @module
 * Consortium membership after genesis: a member node proposes to add a node (a new hospital, with its
 * node key, organization and address) or to remove one (`member.propose`); the other members approve
 * (`member.approve`). The change takes effect in the block where a quorum (a strict majority) of the
 * member nodes of that moment has signed, the proposer included, so no single member, and no minority
 * of members, can change who votes on blocks. Replayed from the chain like the rest of the directory;
 * pure and deterministic.
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf } from '../core/keys.ts';
import { quorumOf } from '../core/vote.ts';
import type { Tx } from '../core/tx.ts';
import { parseMemberApprove, parseMemberPropose } from './payloads.ts';

export interface MemberProposal {
  /** The member.propose transaction id. */
  readonly id: string;
  readonly action: 'add' | 'remove';
  /** The node key added or removed. */
  readonly keyId: string;
  readonly publicKey?: string;
  readonly org?: string;
  readonly name?: string;
  readonly url?: string;
  readonly proposer: string;
  readonly proposedAt: number;
  /** Member node keys that signed (the proposer first). */
  readonly approvals: Set<string>;
  /** Height of the block where a quorum was reached. */
  decidedAt?: number;
}

/** A membership change a quorum decided: the caller registers or revokes the node key. */
export type MemberDecision = MemberProposal & { readonly decidedAt: number };

/** Why a membership transaction is refused: a malformed payload, or not allowed in this state. */
export interface MembershipViolation {
  readonly malformed: boolean;
  readonly detail: string;
}

const deny = (detail: string): MembershipViolation => ({ malformed: false, detail });

/** A proposal as JSON (its approvals as a list), for a directory kept on disk. */
export type StoredProposal = Omit<MemberProposal, 'approvals'> & { readonly approvals: readonly string[] };

export class MemberProposals {
  readonly #byId = new Map<string, MemberProposal>();

  constructor(stored: readonly StoredProposal[] = []) {
    for (const p of stored) this.#byId.set(p.id, { ...p, approvals: new Set(p.approvals) });
  }

  /** Every proposal in the order it was made, as JSON. */
  stored(): StoredProposal[] {
    return [...this.#byId.values()].map((p) => ({ ...p, approvals: [...p.approvals] }));
  }

  get(id: string): MemberProposal | undefined {
    return this.#byId.get(id);
  }

  all(): IterableIterator<MemberProposal> {
    return this.#byId.values();
  }

  /** An undecided proposal about `keyId`, if any. */
  openFor(keyId: string): MemberProposal | undefined {
    for (const p of this.#byId.values()) if (p.keyId === keyId && p.decidedAt === undefined) return p;
    return undefined;
  }

  /**
   * Why `tx` (signed by member node `signer`) is not acceptable, or undefined. `members` are the
   * current member node keys; `isKnownKey` / `orgExists` look at the rest of the directory.
   */
  check(
    tx: Tx,
    members: ReadonlySet<string>,
    isKnownKey: (keyId: string) => boolean,
    orgClaimed: (org: string) => boolean,
  ): MembershipViolation | undefined {
    if (tx.body.type === 'member.propose') {
      const p = parseMemberPropose(tx.body.payload);
      if (typeof p === 'string') return { malformed: true, detail: p };
      if (p.action === 'remove') {
        if (!members.has(p.keyId)) return deny('the node to remove is not a member');
        if (members.size === 1) return deny('the last member cannot be removed');
        return this.openFor(p.keyId) ? deny('a proposal about this node is already open') : undefined;
      }
      const keyId = keyIdOf(fromHex(p.publicKey, 32, 'publicKey'));
      if (isKnownKey(keyId)) return deny('key already registered');
      if (orgClaimed(p.org)) return deny(`organization ${p.org} exists`);
      return this.openFor(keyId) ? deny('a proposal about this node is already open') : undefined;
    }
    const a = parseMemberApprove(tx.body.payload);
    if (typeof a === 'string') return { malformed: true, detail: a };
    const p = this.#byId.get(a.proposal);
    if (!p) return deny('unknown membership proposal');
    if (p.decidedAt !== undefined) return deny(`proposal already decided at height ${String(p.decidedAt)}`);
    return p.approvals.has(tx.body.signer) ? deny('this member already approved') : undefined;
  }

  /**
   * Records a checked member.propose or member.approve at `height`; returns the proposal when this
   * transaction brought it to a quorum of `members`.
   */
  apply(tx: Tx, height: number, members: ReadonlySet<string>): MemberDecision | undefined {
    let p: MemberProposal | undefined;
    if (tx.body.type === 'member.propose') {
      const m = parseMemberPropose(tx.body.payload);
      if (typeof m === 'string' || this.#byId.has(tx.id)) return undefined;
      p =
        m.action === 'remove'
          ? {
              id: tx.id,
              action: 'remove',
              keyId: m.keyId,
              proposer: tx.body.signer,
              proposedAt: height,
              approvals: new Set(),
            }
          : {
              id: tx.id,
              action: 'add',
              keyId: keyIdOf(fromHex(m.publicKey, 32, 'publicKey')),
              publicKey: m.publicKey,
              org: m.org,
              name: m.name,
              url: m.url,
              proposer: tx.body.signer,
              proposedAt: height,
              approvals: new Set(),
            };
      this.#byId.set(tx.id, p);
    } else {
      const a = parseMemberApprove(tx.body.payload);
      p = typeof a === 'string' ? undefined : this.#byId.get(a.proposal);
    }
    if (!p || p.decidedAt !== undefined) return undefined;
    p.approvals.add(tx.body.signer);
    const signed = [...p.approvals].filter((k) => members.has(k)).length;
    if (signed < quorumOf(members.size)) return undefined;
    p.decidedAt = height;
    return p as MemberDecision;
  }
}
