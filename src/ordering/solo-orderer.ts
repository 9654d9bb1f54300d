/**
 * @module
 * The `solo` orderer: one process orders its own blocks (the embedded default), like Fabric's solo
 * orderer. Appends are serialized; each is checked against the head and delivered to the local
 * handler (the node validates and commits) before it counts as ordered. It keeps the last `retain`
 * blocks for subscribers that catch up; older blocks are in the node's store.
 */
import { StoreConflictError } from '../core/errors.ts';
import type { WireBlock } from '../core/block.ts';
import type { BlockHandler, Orderer, OrderedHead } from './orderer.ts';

export interface SoloOptions {
  /** The head to continue from (the local store's head after a restart). */
  readonly head?: OrderedHead;
  /** Validates and commits a block locally before it counts as ordered. */
  readonly deliver?: BlockHandler;
  /** How many recent blocks to keep for catch-up (default 1,024). */
  readonly retain?: number;
}

export class SoloOrderer implements Orderer {
  readonly kind = 'solo';
  #head: OrderedHead | undefined;
  readonly #deliver: BlockHandler | undefined;
  readonly #retain: number;
  readonly #recent: WireBlock[] = [];
  readonly #subscribers = new Set<{ next: number; handler: BlockHandler }>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(opts: SoloOptions = {}) {
    this.#head = opts.head;
    this.#deliver = opts.deliver;
    this.#retain = opts.retain ?? 1024;
  }

  head(): Promise<OrderedHead | undefined> {
    return Promise.resolve(this.#head);
  }

  append(block: WireBlock): Promise<void> {
    const run = this.#queue.then(() => this.#append(block));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(block: WireBlock): Promise<void> {
    if (this.#closed) throw new Error('orderer is closed');
    const want = this.#head ? this.#head.height + 1 : 0;
    const prev = this.#head?.hash ?? '0'.repeat(64);
    if (block.header.height !== want || block.header.prevHash !== prev) {
      throw new StoreConflictError(want, block.header.height);
    }
    if (this.#deliver) await this.#deliver(block);
    this.#head = { height: block.header.height, hash: block.hash };
    this.#recent.push(block);
    if (this.#recent.length > this.#retain) this.#recent.shift();
    for (const s of this.#subscribers) await this.#feed(s);
  }

  subscribe(fromHeight: number, handler: BlockHandler): () => void {
    const s = { next: fromHeight, handler };
    this.#subscribers.add(s);
    this.#queue = this.#queue.then(() => this.#feed(s)).catch(() => undefined);
    return () => this.#subscribers.delete(s);
  }

  async #feed(s: { next: number; handler: BlockHandler }): Promise<void> {
    for (const b of this.#recent) {
      if (b.header.height < s.next || !this.#subscribers.has(s)) continue;
      s.next = b.header.height + 1;
      await s.handler(b);
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    return this.#queue.then(() => undefined);
  }
}
