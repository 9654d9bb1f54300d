/**
 * @module
 * The `etcd` orderer: the consortium's blocks are ordered by an etcd (Raft) cluster, the way
 * Hyperledger Fabric orders through Raft. Keys, under the chain's namespace:
 *
 *   head                 "<height>:<hash>" of the last ordered block
 *   block/<height>       the block (wire JSON), zero-padded so keys sort by height
 *   rejected/<h>/<hash>  a block a quorum voted invalid, with the votes (see rollback)
 *
 * Safety never rests on a lease or a lock (Jepsen found etcd 3.4's locks unsafe, its key-value
 * transactions strict-serializable): `append` is one etcd transaction that compares `head` with the
 * block's height − 1 and previous hash and only then writes the block and the new head, so two
 * proposers can never fork the chain. Delivery pulls: a watch on `head` (and a slow timer, in case
 * the watch drops) only wakes each subscriber, which then reads the blocks after its own position, so
 * a missed event loses nothing. A handler that throws (an invalid block) does not move its subscriber
 * on: it sees the block that replaces the rejected one.
 */
import { Range } from 'etcd3';
import type { Namespace, Watcher } from 'etcd3';
import type { WireBlock } from '../core/block.ts';
import { StoreConflictError } from '../core/errors.ts';
import type { BlockHandler, Orderer, OrderedHead } from './orderer.ts';
import { within } from './within.ts';

export interface EtcdOrdererOptions {
  /** The head of the local store (a restart): local delivery continues after it. */
  readonly head?: OrderedHead;
  /** Validates and commits every ordered block locally, in order (the node's commit path). */
  readonly deliver?: BlockHandler;
  /** Called when local delivery of an ordered block fails (the node then votes it invalid). */
  readonly onDeliveryError?: (block: WireBlock, error: unknown) => void;
  /** How often subscribers look for blocks without a watch event (default 1 s). */
  readonly pollMs?: number;
}

const PAD = 12;
export const blockKey = (height: number): string => `block/${String(height).padStart(PAD, '0')}`;
const HEAD = 'head';
const READ_BATCH = 16;

/** The lowest block height `ns` holds (older blocks were compacted), or undefined when empty. */
export async function lowestHeldBlock(ns: Namespace): Promise<number | undefined> {
  const keys = await ns.getAll().prefix('block/').limit(1).keys();
  return keys[0] === undefined ? undefined : Number(keys[0].slice('block/'.length));
}

export function parseHead(v: string | null): OrderedHead | undefined {
  if (v === null) return undefined;
  const i = v.indexOf(':');
  return { height: Number(v.slice(0, i)), hash: v.slice(i + 1) };
}

const headValue = (h: OrderedHead): string => `${h.height}:${h.hash}`;

interface Feed {
  next: number;
  readonly handler: BlockHandler;
  running: boolean;
  again: boolean;
  closed: boolean;
}

export class EtcdOrderer implements Orderer {
  readonly kind = 'etcd';
  readonly #ns: Namespace;
  readonly #feeds = new Set<Feed>();
  readonly #delivered = new Map<
    number,
    { hash: string; resolve: () => void; reject: (e: unknown) => void }
  >();
  readonly #onDeliveryError: ((block: WireBlock, error: unknown) => void) | undefined;
  #watcher: Watcher | undefined;
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  /** The local delivery feed (when `deliver` was given). */
  readonly #local: Feed | undefined;
  /**
   * Blocks this orderer has just appended, by height, until the local feed delivers them: etcd holds
   * exactly these bytes there (the transaction succeeded), so the proposer's own feed takes the block
   * from here instead of reading back and parsing what it wrote, a sizeable share of its cycle.
   */
  readonly #appended = new Map<number, WireBlock>();

  private constructor(ns: Namespace, opts: EtcdOrdererOptions) {
    this.#ns = ns;
    this.#onDeliveryError = opts.onDeliveryError;
    this.#timer = setInterval(() => {
      this.#wakeAll();
    }, opts.pollMs ?? 1000);
    this.#timer.unref();
    if (opts.deliver) {
      const deliver = opts.deliver;
      this.#local = this.#addFeed(opts.head ? opts.head.height + 1 : 0, deliver);
    }
  }

  /** An orderer over `ns` (the chain's etcd namespace), watching for new blocks. */
  static async open(ns: Namespace, opts: EtcdOrdererOptions = {}): Promise<EtcdOrderer> {
    const o = new EtcdOrderer(ns, opts);
    o.#watcher = await ns.watch().key(HEAD).create();
    o.#watcher.on('put', () => {
      o.#wakeAll();
    });
    o.#watcher.on('error', () => undefined); // the client reconnects; the timer covers the gap
    o.#wakeAll();
    return o;
  }

  async head(): Promise<OrderedHead | undefined> {
    return parseHead(await this.#ns.get(HEAD).string());
  }

  async append(block: WireBlock): Promise<void> {
    if (this.#closed) throw new Error('orderer is closed');
    const height = block.header.height;
    const expected = height === 0 ? undefined : { height: height - 1, hash: block.header.prevHash };
    const cmp = expected
      ? this.#ns.if(HEAD, 'Value', '==', headValue(expected))
      : this.#ns.if(HEAD, 'Create', '==', 0);
    const delivered = this.#local ? this.#awaitDelivery(height, block.hash) : undefined;
    // Rejected later (another block at this height, close) when the commit below throws: not unhandled.
    delivered?.catch(() => undefined);
    let res;
    try {
      res = await cmp
        .then(
          this.#ns.put(blockKey(height)).value(JSON.stringify(block)),
          this.#ns.put(HEAD).value(headValue({ height, hash: block.hash })),
        )
        .commit();
    } catch (e) {
      this.#delivered.delete(height);
      throw e;
    }
    if (!res.succeeded) {
      this.#delivered.delete(height);
      const head = await this.head();
      throw new StoreConflictError(head ? head.height + 1 : 0, height);
    }
    if (delivered) this.#appended.set(height, block);
    this.#wakeAll();
    try {
      await delivered;
    } finally {
      this.#appended.delete(height);
    }
  }

  /**
   * Takes back the head block `hash` at `height` (a quorum voted it invalid), keeping the evidence
   * under rejected/. Compare-and-swap on the head: it does nothing if the head moved on.
   */
  async rollback(height: number, hash: string, prevHash: string, evidence: string): Promise<boolean> {
    if (height === 0) throw new RangeError('the genesis block comes from the genesis file');
    const res = await this.#ns
      .if(HEAD, 'Value', '==', headValue({ height, hash }))
      .then(
        this.#ns.delete().key(blockKey(height)),
        this.#ns.put(HEAD).value(headValue({ height: height - 1, hash: prevHash })),
        this.#ns.put(`rejected/${String(height).padStart(PAD, '0')}/${hash}`).value(evidence),
      )
      .commit();
    return res.succeeded;
  }

  /** The ordered block at `height` still held by etcd, or undefined. */
  async block(height: number): Promise<WireBlock | undefined> {
    const v = await this.#ns.get(blockKey(height)).string();
    return v === null ? undefined : (JSON.parse(v) as WireBlock);
  }

  /** The lowest height etcd still holds (older blocks were compacted), or undefined when empty. */
  async lowestHeld(): Promise<number | undefined> {
    return lowestHeldBlock(this.#ns);
  }

  /** Deletes the blocks below `height` (every member has stored them) and compacts etcd's history. */
  async compactBelow(height: number): Promise<void> {
    if (height <= 0) return;
    await this.#ns.delete().inRange(new Range(blockKey(0), blockKey(height)));
  }

  subscribe(fromHeight: number, handler: BlockHandler): () => void {
    const feed = this.#addFeed(fromHeight, handler);
    return () => {
      feed.closed = true;
      this.#feeds.delete(feed);
    };
  }

  #addFeed(next: number, handler: BlockHandler): Feed {
    const feed: Feed = { next, handler, running: false, again: false, closed: false };
    this.#feeds.add(feed);
    this.#wake(feed);
    return feed;
  }

  #awaitDelivery(height: number, hash: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#delivered.set(height, { hash, resolve, reject });
    });
  }

  #wakeAll(): void {
    for (const f of this.#feeds) this.#wake(f);
  }

  #wake(feed: Feed): void {
    if (feed.running) {
      feed.again = true;
      return;
    }
    feed.running = true;
    void this.#pump(feed).finally(() => {
      feed.running = false;
      if (feed.again && !feed.closed && !this.#closed) {
        feed.again = false;
        this.#wake(feed);
      }
    });
  }

  /** Delivers the blocks after the feed's position, in order, until the head or a failing handler. */
  async #pump(feed: Feed): Promise<void> {
    for (;;) {
      if (this.#stopped(feed)) return;
      const own = feed === this.#local ? this.#appended.get(feed.next) : undefined;
      const blocks = own ? [own] : await this.#read(feed.next);
      if (blocks.length === 0) return;
      for (const block of blocks) {
        if (this.#stopped(feed)) return;
        if (block.header.height !== feed.next) return; // a gap (compacted or rolled back): wait
        const waiter = feed === this.#local ? this.#delivered.get(block.header.height) : undefined;
        try {
          await feed.handler(block);
        } catch (e) {
          if (feed === this.#local) this.#onDeliveryError?.(block, e);
          if (waiter?.hash === block.hash) {
            this.#delivered.delete(block.header.height);
            waiter.reject(e);
          }
          return;
        }
        feed.next = block.header.height + 1;
        if (waiter) {
          this.#delivered.delete(block.header.height);
          if (waiter.hash === block.hash) waiter.resolve();
          else waiter.reject(new StoreConflictError(block.header.height + 1, block.header.height));
        }
      }
    }
  }

  /** Up to READ_BATCH ordered blocks from `from` on; none when etcd is unreachable (the timer retries). */
  async #read(from: number): Promise<WireBlock[]> {
    try {
      const res = await this.#ns
        .getAll()
        .inRange(new Range(blockKey(from), blockKey(from + READ_BATCH)))
        .exec();
      return res.kvs.map((kv) => JSON.parse(kv.value.toString()) as WireBlock);
    } catch {
      return [];
    }
  }

  #stopped(feed: Feed): boolean {
    return feed.closed || this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#feeds.clear();
    for (const w of this.#delivered.values()) w.reject(new Error('orderer is closed'));
    this.#delivered.clear();
    await within(this.#watcher?.cancel());
  }
}
