/**
 * @module
 * Counting block votes (consortium): votes of member nodes, grouped by the block they name. A block
 * settles once: final when a quorum of members voted it valid (and this node stores that very block),
 * rejected when a quorum voted it invalid. Pure: the caller stores certificates and takes rejected
 * blocks back. It also knows how far every member has voted, which bounds what etcd may forget.
 */
import { checkVote, quorumOf, voterOf } from '../core/vote.ts';
import type { Vote } from '../core/vote.ts';

export interface Tally {
  readonly height: number;
  readonly hash: string;
  readonly valid: Map<string, Vote>;
  readonly invalid: Map<string, Vote>;
  settled: boolean;
}

export type Outcome =
  | { readonly kind: 'final'; readonly votes: readonly Vote[] }
  | { readonly kind: 'rejected'; readonly votes: readonly Vote[] }
  | undefined;

export class VoteTally {
  members: ReadonlySet<string> = new Set<string>();
  readonly #tallies = new Map<string, Tally>();
  /** Highest height each member voted valid. */
  readonly #votedUpTo = new Map<string, number>();

  /** Counts a vote; undefined when it is malformed, badly signed or not a member's. */
  add(v: Vote): Tally | undefined {
    if (checkVote(v) !== undefined) return undefined;
    const voter = voterOf(v)!;
    if (!this.members.has(voter)) return undefined;
    const id = `${v.height}:${v.votingForBlock}`;
    let t = this.#tallies.get(id);
    if (!t) {
      t = { height: v.height, hash: v.votingForBlock, valid: new Map(), invalid: new Map(), settled: false };
      this.#tallies.set(id, t);
    }
    (v.isBlockValid ? t.valid : t.invalid).set(voter, v);
    if (v.isBlockValid) this.#votedUpTo.set(voter, Math.max(this.#votedUpTo.get(voter) ?? -1, v.height));
    return t;
  }

  /**
   * Settles `t` if it can: final when a quorum voted valid and `storedHash` (this node's block at that
   * height) is the block voted for; rejected when a quorum voted invalid.
   */
  settle(t: Tally, storedHash: string | undefined): Outcome {
    if (t.settled) return undefined;
    const quorum = quorumOf(this.members.size);
    if (t.valid.size >= quorum) {
      if (storedHash !== t.hash) return undefined; // not stored here yet (catching up), or another block
      t.settled = true;
      return { kind: 'final', votes: [...t.valid.values()] };
    }
    if (t.invalid.size >= quorum) {
      t.settled = true;
      return { kind: 'rejected', votes: [...t.invalid.values()] };
    }
    return undefined;
  }

  /** The tallies of blocks at `height`. */
  at(height: number): Tally[] {
    return [...this.#tallies.values()].filter((t) => t.height === height);
  }

  /** The lowest height every member has voted valid up to, or -1 while some member has not voted. */
  votedByAll(): number {
    let low = Infinity;
    for (const m of this.members) low = Math.min(low, this.#votedUpTo.get(m) ?? -1);
    return low === Infinity ? -1 : low;
  }

  /** Forgets the tallies below `height`. */
  forgetBelow(height: number): void {
    for (const [k, t] of this.#tallies) if (t.height < height) this.#tallies.delete(k);
  }
}
