/**
 * @module
 * Votes and finality of a consortium member (Fabric's shape): the
 * node publishes a signed vote on every block it commits (valid) or rejects (invalid, with the
 * reason) under `vote/<height>/<hash>/<voter>` in etcd, watches everyone's votes, and when a quorum of
 * the members of that height agrees: valid — the finality certificate is stored with the block;
 * invalid — the block is taken back out of etcd (compare-and-swap) and reported. The proposer also
 * deletes the blocks and votes every member has voted on, so etcd stays small.
 */
import { Range } from 'etcd3';
import type { Namespace, Watcher } from 'etcd3';
import type { WireBlock } from '../core/block.ts';
import { checkCertificateJson, signVote } from '../core/vote.ts';
import type { FinalityCertificate, Vote } from '../core/vote.ts';
import { VoteTally } from '../state-machine/vote-tally.ts';
import type { Tally } from '../state-machine/vote-tally.ts';
import type { EtcdOrderer } from '../ordering/etcd-orderer.ts';
import { lowestHeldBlock } from '../ordering/etcd-orderer.ts';
import { within } from '../ordering/within.ts';
import type { ChainNode } from '../chain/chain-node.ts';

/** A block a quorum of members voted invalid. */
export interface RejectedBlock {
  readonly height: number;
  readonly hash: string;
  readonly proposer: string;
  readonly reasons: readonly string[];
  readonly time: number;
}

/** What the votes need from the member they belong to. */
export interface VotingMember {
  readonly ns: Namespace;
  readonly ledger: ChainNode;
  orderer(): EtcdOrderer | undefined;
  /** Whether this node proposes now (only the proposer compacts etcd). */
  isProposer(): boolean;
  /** Asks the block producer to try again (after a block was taken back). */
  nudge(): void;
  onAlert?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
}

export const voteKey = (height: number, hash: string, voter: string): string =>
  `vote/${String(height).padStart(12, '0')}/${hash.slice(0, 16)}/${voter}`;

const prevOf = (header: string): string => (JSON.parse(header) as { prevHash: string }).prevHash;

export class ConsortiumVotes {
  readonly #m: VotingMember;
  readonly #tally = new VoteTally();
  #watcher: Watcher | undefined;
  #compactedBelow = 0;
  #finalHeight = -1;
  readonly #rejected: RejectedBlock[] = [];
  /** When each block was committed here (finality latency). */
  readonly #committedAt = new Map<number, number>();
  readonly #finalityMs: number[] = [];
  /** Proposers of blocks this node rejected (hash → key id), for the report. */
  readonly #badProposers = new Map<string, string>();

  constructor(member: VotingMember) {
    this.#m = member;
    this.#tally.membersAt = (h) => member.ledger.directory.nodeKeysAt(h);
  }

  /**
   * Watches the votes (and reads those already cast), then votes on the blocks committed before this
   * (the genesis, a catch-up) that etcd still holds and that are not yet final here.
   */
  async start(): Promise<void> {
    const { ns, ledger } = this.#m;
    this.#watcher = await ns.watch().prefix('vote/').create();
    this.#watcher.on('put', (kv) => {
      this.#onVote(kv.value.toString());
    });
    this.#watcher.on('error', () => undefined);
    for (const v of Object.values(await ns.getAll().prefix('vote/').strings())) this.#onVote(v);
    const head = ledger.store.head();
    if (head) {
      const low = Math.max((await lowestHeldBlock(ns).catch(() => 0)) ?? 0, head.height - 1000);
      for (const b of ledger.store.blocks(low, head.height + 1))
        if (b.certificate === undefined) await this.#cast(b.height, b.hash, prevOf(b.header), true, '');
    }
  }

  /**
   * Stores the certificates peers sent with old blocks (catch-up), each only if it checks against the
   * members of its height.
   */
  storePeerCertificates(certificates: ReadonlyMap<number, string>): void {
    const { ledger } = this.#m;
    for (const [height, text] of certificates) {
      const row = ledger.store.blockByHeight(height);
      if (!row || row.certificate !== undefined) continue;
      if (checkCertificateJson(text, height, row.hash, ledger.directory.nodeKeysAt(height)) === undefined) {
        ledger.store.setCertificate(height, text);
        this.#finalHeight = Math.max(this.#finalHeight, height);
      }
    }
  }

  /** Block `height` was committed here: vote valid, and settle what its votes already decide. */
  committed(height: number): void {
    this.#committedAt.set(height, Date.now());
    const row = this.#m.ledger.store.blockByHeight(height)!;
    void this.#cast(height, row.hash, prevOf(row.header), true, '');
    for (const t of this.#tally.at(height)) this.#evaluate(t);
  }

  /** Votes invalid, with the reason, on a block this node rejected. */
  async rejected(block: WireBlock, e: unknown): Promise<void> {
    const reason = e instanceof Error ? e.message : String(e);
    const ok =
      typeof block === 'object' && typeof block.hash === 'string' && /^[0-9a-f]{64}$/.test(block.hash);
    const prev = typeof block.header === 'object' ? block.header.prevHash : '';
    if (!ok || typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)) return;
    this.#badProposers.set(block.hash, block.header.proposer);
    if (this.#badProposers.size > 1000) this.#badProposers.clear();
    this.#m.onAlert?.('ordered block rejected by this node', {
      height: block.header.height,
      hash: block.hash,
      reason,
    });
    await this.#cast(block.header.height, block.hash, prev, false, reason.slice(0, 4000));
  }

  get finalHeight(): number {
    return this.#finalHeight;
  }

  /** The last blocks a quorum rejected (at most 100). */
  rejectedBlocks(): RejectedBlock[] {
    return [...this.#rejected];
  }

  /** Commit-to-final latencies seen here (ms), for benchmarks. */
  finalityLatencies(): readonly number[] {
    return this.#finalityMs;
  }

  async close(): Promise<void> {
    await within(this.#watcher?.cancel());
  }

  async #cast(height: number, hash: string, prev: string, valid: boolean, reason: string): Promise<void> {
    const { ledger, ns } = this.#m;
    const vote = signVote(ledger.signer, {
      height,
      previousBlock: prev,
      votingForBlock: hash,
      isBlockValid: valid,
      invalidReason: reason,
      timestamp: Date.now(),
    });
    try {
      await ns.put(voteKey(height, hash, ledger.signer.keyId)).value(JSON.stringify(vote));
    } catch {
      // etcd unreachable: the vote is cast again when this node restarts; others still reach quorum
    }
  }

  #onVote(text: string): void {
    let v: Vote;
    try {
      v = JSON.parse(text) as Vote;
    } catch {
      return;
    }
    const t = this.#tally.add(v);
    if (!t) return;
    this.#evaluate(t);
    this.#maybeCompact();
  }

  /** A quorum of valid votes: store the certificate. A quorum of invalid votes: take the block back. */
  #evaluate(t: Tally): void {
    const { ledger } = this.#m;
    const row = ledger.store.blockByHeight(t.height);
    const outcome = this.#tally.settle(t, row?.hash);
    if (outcome?.kind === 'rejected') void this.#reject(t, outcome.votes);
    if (outcome?.kind !== 'final' || !row) return;
    const cert: FinalityCertificate = { height: t.height, block: t.hash, votes: outcome.votes };
    if (row.certificate === undefined) ledger.store.setCertificate(t.height, JSON.stringify(cert));
    this.#finalHeight = Math.max(this.#finalHeight, t.height);
    const at = this.#committedAt.get(t.height);
    if (at !== undefined) {
      this.#finalityMs.push(Date.now() - at);
      if (this.#finalityMs.length > 10_000) this.#finalityMs.splice(0, 5_000);
      this.#committedAt.delete(t.height);
    }
  }

  /** Reports a block a quorum voted invalid and takes it back out of etcd (compare-and-swap). */
  async #reject(t: Tally, votes: readonly Vote[]): Promise<void> {
    const orderer = this.#m.orderer();
    const reasons = [...new Set(votes.map((v) => v.invalidReason))];
    const held = this.#badProposers.has(t.hash)
      ? undefined
      : await orderer?.block(t.height).catch(() => undefined);
    const proposer =
      this.#badProposers.get(t.hash) ?? (held?.hash === t.hash ? held.header.proposer : 'unknown');
    this.#rejected.push({ height: t.height, hash: t.hash, proposer, reasons, time: Date.now() });
    if (this.#rejected.length > 100) this.#rejected.shift();
    this.#m.onAlert?.('block rejected by a quorum of member votes', {
      height: t.height,
      hash: t.hash,
      proposer,
      reasons,
    });
    await orderer
      ?.rollback(t.height, t.hash, votes[0]!.previousBlock, JSON.stringify({ votes }))
      .catch(() => undefined);
    this.#m.nudge();
  }

  /** Deletes blocks and votes every member has voted on (they are in every member's store). */
  #maybeCompact(): void {
    if (!this.#m.isProposer()) return;
    const low = this.#tally.votedByAll(this.#m.ledger.directory.nodeKeys());
    if (low - this.#compactedBelow < 32) return;
    const below = low;
    this.#compactedBelow = below;
    void (async () => {
      await this.#m.orderer()?.compactBelow(below);
      // Only the votes below: votes of newer blocks still make their certificates (a catching-up node reads them).
      await this.#m.ns
        .delete()
        .inRange(new Range(voteKey(0, '', ''), voteKey(below, '', '')))
        .catch(() => undefined);
      this.#tally.forgetBelow(below);
    })().catch(() => undefined);
  }
}
