/**
 * @module
 * A node's membership in a consortium: hospital nodes share one chain through an etcd (Raft)
 * cluster: an elected proposer, a shared mempool and signed votes, in Hyperledger Fabric's shape.
 *
 * - ElectMinerNode (proposer-election.ts): every member node campaigns in an etcd election on a
 *   short lease; the winner proposes. Safety never rests on the lease: the orderer appends with a
 *   compare-and-swap on the head.
 * - GetTransactionsFromNode: each node publishes the transactions it admits to the shared mempool in
 *   etcd; the proposer admits them all (signatures and rules checked again) and assembles blocks.
 * - Every node validates every ordered block itself (hash links, Merkle roots, proof-of-work, every
 *   signature, identities and permissions) and publishes a signed vote (consortium-votes.ts); a quorum
 *   of valid votes makes the block final and its finality certificate is stored with it. A quorum of
 *   invalid votes takes the block back out of etcd (compare-and-swap again), and it is reported.
 * - etcd stays small: blocks and votes every member voted on are deleted (they are in every store).
 */
import { Etcd3 } from 'etcd3';
import type { Namespace } from 'etcd3';
import type { WireBlock } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { InvalidBlockError } from '../core/errors.ts';
import { encodeTx, txIdOf } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import { quorumOf } from '../core/vote.ts';
import { EtcdMempool } from '../ordering/etcd-mempool.ts';
import type { PendingBatch } from '../ordering/etcd-mempool.ts';
import { blockKey, EtcdOrderer, lowestHeldBlock } from '../ordering/etcd-orderer.ts';
import { within } from '../ordering/within.ts';
import type { BlockProducer } from '../chain/block-producer.ts';
import type { ChainNode, MakeOrderer } from '../chain/chain-node.ts';
import type { GenesisFile } from './consortium-genesis.ts';
import { memberNodes } from './consortium-members.ts';
import { catchUpFromPeers } from '../chain/peer-catch-up.ts';
import { ProposerElection } from './proposer-election.ts';
import { ConsortiumVotes } from './consortium-votes.ts';
import type { RejectedBlock } from './consortium-votes.ts';

export type { RejectedBlock } from './consortium-votes.ts';

export interface ConsortiumOptions {
  /** Lease of the proposer election in seconds: a dead proposer is replaced after at most this. */
  readonly electionTtlSec?: number;
  /** Called for every alert (a block rejected by votes, …) with fields safe to log (no PHI). */
  readonly onAlert?: (msg: string, fields: Record<string, unknown>) => void;
}

export interface ConsortiumStatus {
  readonly ordering: 'etcd';
  readonly chainId: string;
  readonly node: string;
  readonly proposer: boolean;
  readonly leader: string | undefined;
  readonly members: number;
  readonly quorum: number;
  readonly finalHeight: number;
  readonly rejected: readonly RejectedBlock[];
  readonly endpoints: readonly string[];
}

/**
 * Most transactions per consortium block. A block is final once the other members have validated it,
 * so its size bounds commit-to-final latency. Measured with bench/consortium-bench.ts: larger blocks
 * gained no throughput and lengthened the commit-to-final tail, smaller ones lost throughput.
 */
export const CONSORTIUM_MAX_BLOCK_TXS = 700;

export class ConsortiumMember {
  readonly genesis: GenesisFile;
  readonly #client: Etcd3;
  readonly #ns: Namespace;
  readonly #opts: ConsortiumOptions;
  #orderer: EtcdOrderer | undefined;
  #ledger: ChainNode | undefined;
  #producer: BlockProducer | undefined;
  #mempool: EtcdMempool | undefined;
  #election: ProposerElection | undefined;
  #votes: ConsortiumVotes | undefined;
  #timer: NodeJS.Timeout | undefined;
  #proposer = false;
  /** Election term: incremented on every win and every loss of the proposer election. */
  #term = 0;
  #closed = false;
  readonly #onAdmitted: (() => void)[] = [];
  /** Finality certificates received from peers during catch-up (checked before they are stored). */
  #peerCertificates = new Map<number, string>();
  /** Mempool batches the proposer admitted, with their transactions not yet on the chain. */
  readonly #batches = new Map<string, Set<string>>();

  private constructor(genesis: GenesisFile, client: Etcd3, opts: ConsortiumOptions) {
    this.genesis = genesis;
    this.#client = client;
    this.#ns = client.namespace(`medledger/${genesis.chainId}/`);
    this.#opts = opts;
  }

  /** Connects to the consortium's etcd cluster (nothing is written yet). */
  static connect(genesis: GenesisFile, opts: ConsortiumOptions = {}): ConsortiumMember {
    const client = new Etcd3({ hosts: [...genesis.endpoints], dialTimeout: 2000 });
    return new ConsortiumMember(genesis, client, opts);
  }

  /** The orderer factory for ChainNode.join: blocks ordered by etcd, delivered to the ledger in order. */
  readonly makeOrderer: MakeOrderer = async (start) => {
    await this.#seedGenesis(this.genesis.block);
    let head = start.head;
    const low = await lowestHeldBlock(this.#ns);
    if (low !== undefined && (head?.height ?? -1) + 1 < low) {
      // etcd no longer holds the blocks this node misses (a new member): read them from the others.
      this.#opts.onAlert?.('catching up from peers', { from: (head?.height ?? -1) + 1, to: low - 1 });
      const got = await catchUpFromPeers({
        signer: start.signer,
        peers: this.genesis.members.filter((m) => m.keyId !== start.signer.keyId).map((m) => m.url),
        head,
        until: low,
        deliver: start.deliver,
      });
      head = got.head;
      this.#peerCertificates = got.certificates;
    }
    this.#orderer = await EtcdOrderer.open(this.#ns, {
      ...(head ? { head } : {}),
      deliver: start.deliver,
      onDeliveryError: start.onDeliveryError,
    });
    return this.#orderer;
  };

  /** Puts the genesis block in etcd if it is empty, or checks etcd holds the same genesis. */
  async #seedGenesis(block: WireBlock): Promise<void> {
    const res = await this.#ns
      .if('head', 'Create', '==', 0)
      .then(
        this.#ns.put(blockKey(0)).value(JSON.stringify(block)),
        this.#ns.put('head').value(`0:${block.hash}`),
      )
      .commit();
    if (res.succeeded) return;
    const held = await this.#ns.get(blockKey(0)).string();
    if (held !== null && (JSON.parse(held) as WireBlock).hash !== block.hash)
      throw new InvalidBlockError('etcd holds another chain than this genesis file');
  }

  /**
   * Starts taking part: mempool relay, votes, the proposer election. Call after the ledger is open
   * with `makeOrderer` and before anything is submitted.
   */
  async attach(ledger: ChainNode, producer: BlockProducer): Promise<void> {
    this.#ledger = ledger;
    this.#producer = producer;
    const votes = new ConsortiumVotes({
      ns: this.#ns,
      ledger,
      orderer: () => this.#orderer,
      isProposer: () => this.#proposer,
      nudge: () => {
        producer.nudge();
      },
      onAlert: this.#opts.onAlert,
    });
    this.#votes = votes;
    votes.storePeerCertificates(this.#peerCertificates);
    this.#peerCertificates.clear();
    const keyId = ledger.signer.keyId;
    this.#election = new ProposerElection(this.#ns, keyId, this.#opts.electionTtlSec ?? 2, {
      eligible: () => !this.#closed && this.isMember,
      elected: () => void this.#becomeProposer(++this.#term),
      lost: () => {
        this.#term++;
        this.#proposer = false;
        void this.#mempool?.unwatch().catch(() => undefined);
      },
    });
    const mempool = new EtcdMempool(this.#ns, keyId);
    this.#mempool = mempool;
    ledger.relay = (txs) => mempool.publish(txs.map(encodeTx));
    producer.proposer = () => this.#proposer && !this.#closed;
    producer.auto = true; // the proposer mines whatever any member submits
    producer.maxBlockTxs = CONSORTIUM_MAX_BLOCK_TXS;
    ledger.onCommit((txs, height) => {
      this.#onCommit(txs, height);
    });
    ledger.onReject((block, e) => {
      void votes.rejected(block, e);
    });
    await votes.start();
    this.#timer = setInterval(() => {
      if (this.#proposer && ledger.pendingCount > 0) producer.nudge();
    }, 250);
    this.#timer.unref();
    this.#election.join();
    await this.#election.observe();
  }

  /** Whether this node's key is a member node key (admitted at genesis or by a quorum). */
  get isMember(): boolean {
    const ledger = this.#ledger;
    return ledger?.directory.active(ledger.signer.keyId)?.role === 'node';
  }

  /** The other active member nodes with their addresses (genesis members and those admitted since). */
  peers(): { keyId: string; url: string }[] {
    const ledger = this.#ledger;
    if (!ledger) return this.genesis.members.map(({ keyId, url }) => ({ keyId, url }));
    return memberNodes(this.genesis.members, ledger.directory).flatMap((m) =>
      m.active && m.url !== null && m.keyId !== ledger.signer.keyId ? [{ keyId: m.keyId, url: m.url }] : [],
    );
  }

  /** Resolves once this node's key is a member node key (a quorum of members admitted it). */
  admitted(): Promise<void> {
    if (this.isMember) return Promise.resolve();
    this.#opts.onAlert?.('waiting for a quorum of members to admit this node', {
      node: this.#ledger?.signer.keyId,
    });
    return new Promise((resolve) => {
      this.#onAdmitted.push(resolve);
    });
  }

  /**
   * Takes office for the election `term` (each win or loss starts a new one): a retry scheduled in an
   * earlier term does nothing, so a node that lost meanwhile never proposes or watches again.
   */
  async #becomeProposer(term: number): Promise<void> {
    if (this.#closed || term !== this.#term) return;
    this.#proposer = true;
    this.#opts.onAlert?.('elected block proposer', { node: this.#ledger?.signer.keyId });
    try {
      // Watch first, then load: a batch published in between is seen twice, and admitted once.
      await this.#mempool!.watch((b) => {
        if (this.#proposer) void this.#admitBatch(b, true);
      });
      const batches = await this.#mempool!.loadAll();
      for (const b of batches) await this.#admitBatch(b);
    } catch {
      // etcd unreachable (or closing): the campaign errors too and the node campaigns again
      if (!this.#isClosed()) setTimeout(() => void this.#becomeProposer(term), 1000).unref();
      return;
    }
    this.#producer?.nudge();
  }

  /**
   * The proposer admits a mempool batch (every check again) and remembers it for cleanup. A batch this
   * process published (`fresh`: seen by the watch, which started in this process) holds transactions
   * it admitted before relaying them: they are only tracked, not admitted again (each would be a
   * replay). Batches loaded at election may come from an earlier run of this node: admitted in full.
   */
  async #admitBatch(b: PendingBatch, fresh = false): Promise<void> {
    const ledger = this.#ledger!;
    const open = new Set<string>();
    if (fresh && this.#mempool?.isOwn(b.key) === true) {
      for (const t of b.txs) {
        const id = safeId(t.body);
        if (id && ledger.isPending(id)) open.add(id);
      }
    } else {
      const results = await ledger.submitMany(b.txs, { relay: false });
      for (const [i, r] of results.entries()) {
        if ('id' in r) open.add(r.id);
        else {
          const id = safeId(b.txs[i]!.body);
          if (id && ledger.isPending(id)) open.add(id);
        }
      }
    }
    if (open.size === 0) void this.#mempool?.remove([b.key]).catch(() => undefined);
    else this.#batches.set(b.key, open);
    this.#producer?.nudge();
  }

  #onCommit(txs: readonly Tx[], height: number): void {
    if (this.isMember) {
      this.#election?.join(); // no-op unless admitted by the members just now
      for (const f of this.#onAdmitted.splice(0)) f();
    } else if (this.#election?.campaigning) {
      this.#opts.onAlert?.('this node is no longer a member: it stops proposing', {});
      void this.#election.withdraw();
    }
    this.#votes?.committed(height);
    // Batches whose transactions are all on the chain leave etcd.
    if (this.#proposer && this.#batches.size > 0) {
      const done: string[] = [];
      const ids = new Set(txs.map((t) => t.id));
      for (const [key, open] of this.#batches) {
        for (const id of open) if (ids.has(id)) open.delete(id);
        if (open.size === 0) {
          done.push(key);
          this.#batches.delete(key);
        }
      }
      if (done.length > 0) void this.#mempool?.remove(done).catch(() => undefined);
    }
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  get isProposer(): boolean {
    return this.#proposer;
  }

  /** Commit-to-final latencies seen here (ms), for benchmarks. */
  finalityLatencies(): readonly number[] {
    return this.#votes?.finalityLatencies() ?? [];
  }

  status(): ConsortiumStatus {
    const members = this.#ledger?.directory.nodeKeys() ?? new Set<string>();
    return {
      ordering: 'etcd',
      chainId: this.genesis.chainId,
      node: this.#ledger?.signer.keyId ?? '',
      proposer: this.#proposer,
      leader: this.#election?.leader,
      members: members.size,
      quorum: quorumOf(members.size),
      finalHeight: this.#votes?.finalHeight ?? -1,
      rejected: this.#votes?.rejectedBlocks() ?? [],
      endpoints: this.genesis.endpoints,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#proposer = false;
    clearInterval(this.#timer);
    await Promise.all([this.#election?.close(), this.#votes?.close(), within(this.#mempool?.close())]);
  }

  /**
   * Stops as a killed process would (tests): heartbeats of the election lease stop without revoking
   * it, so another node is elected only once the lease expires; nothing else is cleaned up.
   */
  async crash(): Promise<void> {
    this.#closed = true;
    this.#proposer = false;
    clearInterval(this.#timer);
    // What follows only frees this process's handles; it tells etcd nothing.
    await Promise.all([this.#election?.crash(), this.#votes?.close(), within(this.#mempool?.close())]);
  }

  /** Closes the etcd client (after the ledger, whose orderer uses it, is closed). */
  disconnect(): void {
    this.#client.close();
  }
}

function safeId(body: string): string | undefined {
  try {
    return toHex(txIdOf(body));
  } catch {
    return undefined;
  }
}
