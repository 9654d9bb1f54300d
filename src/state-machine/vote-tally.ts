/**
 * @module
 * Counting block votes (consortium): signed votes grouped by the block they name. A block settles
 * once: final when a quorum of the members that vote on its height voted it valid (and this node
 * stores that very block), rejected when such a quorum voted it invalid. Membership changes over the
 * chain (member.propose), so who counts is asked per height when a block settles. Pure: the caller stores certificates and takes rejected
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
  /** The member node keys that vote on block `height`. */
  membersAt: (height: number) => ReadonlySet<string> = () => new Set<string>();
  readonly #tallies = new Map<string, Tally>();
  /** Highest height each member voted valid. */
  readonly #votedUpTo = new Map<string, number>();

  /**
   * Counts a vote; undefined when it is malformed or badly signed. Whether its voter is a member is
   * decided when the block settles (a node catching up may not know a newer member yet).
   */
  add(v: Vote): Tally | undefined {
    if (checkVote(v) !== undefined) return undefined;
    const voter = voterOf(v)!;
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
    const members = this.membersAt(t.height);
    const quorum = quorumOf(members.size);
    const valid = [...t.valid].filter(([k]) => members.has(k)).map(([, v]) => v);
    const invalid = [...t.invalid].filter(([k]) => members.has(k)).map(([, v]) => v);
    if (valid.length >= quorum) {
      if (storedHash !== t.hash) return undefined; // not stored here yet (catching up), or another block
      t.settled = true;
      return { kind: 'final', votes: valid };
    }
    if (invalid.length >= quorum) {
      t.settled = true;
      return { kind: 'rejected', votes: invalid };
    }
    return undefined;
  }

  /** The tallies of blocks at `height`. */
  at(height: number): Tally[] {
    return [...this.#tallies.values()].filter((t) => t.height === height);
  }

  /** The lowest height every one of `members` has voted valid up to, or -1 while one has not voted. */
  votedByAll(members: ReadonlySet<string>): number {
    let low = Infinity;
    for (const m of members) low = Math.min(low, this.#votedUpTo.get(m) ?? -1);
    return low === Infinity ? -1 : low;
  }

  /** Forgets the tallies below `height`. */
  forgetBelow(height: number): void {
    for (const [k, t] of this.#tallies) if (t.height < height) this.#tallies.delete(k);
  }
}
