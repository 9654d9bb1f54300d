/**
 * @module
 * The consortium's shared mempool in etcd (how the proposer gets the transactions of every node). Every node
 * publishes the transactions it admitted under `pending/<node>/<batch>` (one etcd put per batch of
 * transactions submitted within a couple of milliseconds), and the elected proposer reads them all.
 * A transaction is acknowledged to its client only once it is in a committed block, and its batch
 * stays in etcd until then, so a proposer that dies loses nothing: the next one reads the same keys.
 * The proposer deletes a batch once every transaction in it is on the chain.
 */
import type { Namespace, Watcher } from 'etcd3';
import type { WireTx } from '../core/tx.ts';

export interface PendingBatch {
  readonly key: string;
  readonly txs: readonly WireTx[];
}

const PREFIX = 'pending/';
const MAX_BATCH_TXS = 512;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

function parseBatch(key: string, value: string): PendingBatch | undefined {
  try {
    const txs = JSON.parse(value) as unknown;
    if (!Array.isArray(txs)) return undefined;
    return { key, txs: txs as WireTx[] };
  } catch {
    return undefined;
  }
}

export class EtcdMempool {
  readonly #ns: Namespace;
  readonly #node: string;
  readonly #flushMs: number;
  #batch: WireTx[] = [];
  #bytes = 0;
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  /** The watch of the pending batches while this node proposes (being created, or created). */
  #watching: Promise<Watcher> | undefined;
  #generation = 0;

  /** `node`: this node's key id (its batches' folder); `flushMs`: how long a batch gathers. */
  constructor(ns: Namespace, node: string, flushMs = 2) {
    this.#ns = ns;
    this.#node = node;
    this.#flushMs = flushMs;
  }

  /** Resolves once `txs` are durable in etcd (a Raft majority has them). */
  publish(txs: readonly WireTx[]): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    for (const t of txs) {
      this.#batch.push(t);
      this.#bytes += t.body.length + t.sig.length;
    }
    if (this.#batch.length >= MAX_BATCH_TXS || this.#bytes >= MAX_BATCH_BYTES) this.#flush();
    else
      this.#timer ??= setTimeout(() => {
        this.#flush();
      }, this.#flushMs);
    return p;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    const waiters = this.#waiters;
    this.#batch = [];
    this.#bytes = 0;
    this.#waiters = [];
    if (batch.length === 0) return;
    const key = `${PREFIX}${this.#node}/${Date.now().toString().padStart(15, '0')}-${this.#seq++}`;
    this.#ns
      .put(key)
      .value(JSON.stringify(batch))
      .then(
        () => {
          for (const w of waiters) w.resolve();
        },
        (e: unknown) => {
          for (const w of waiters) w.reject(e);
        },
      );
  }

  /** Every batch in etcd now (a new proposer starts from these). */
  async loadAll(): Promise<PendingBatch[]> {
    const res = await this.#ns.getAll().prefix(PREFIX).exec();
    return res.kvs
      .map((kv) => parseBatch(kv.key.toString(), kv.value.toString()))
      .filter((b): b is PendingBatch => b !== undefined);
  }

  /** Whether the batch `key` was published by this node. */
  isOwn(key: string): boolean {
    return key.startsWith(`${PREFIX}${this.#node}/`);
  }

  /**
   * Calls `handler` for every batch published from now on (by any node) until {@link unwatch}: only
   * the proposer watches, so the other members are not sent every batch by etcd.
   */
  async watch(handler: (batch: PendingBatch) => void): Promise<void> {
    if (this.#watching) return;
    const generation = this.#generation;
    const creating = this.#ns.watch().prefix(PREFIX).create();
    this.#watching = creating;
    let watcher: Watcher;
    try {
      watcher = await creating;
    } catch (e) {
      if (this.#watching === creating) this.#watching = undefined;
      throw e;
    }
    watcher.on('put', (kv) => {
      const b = parseBatch(kv.key.toString(), kv.value.toString());
      if (b) handler(b);
    });
    watcher.on('error', () => undefined); // the proposer reloads everything when re-elected
    // Unwatched (or closed) while the watch was being created: it must not stay open.
    if (generation !== this.#generation) await watcher.cancel();
  }

  /** Stops the watch (this node is no longer the proposer, or closes). */
  async unwatch(): Promise<void> {
    this.#generation++;
    const creating = this.#watching;
    this.#watching = undefined;
    const watcher = await creating?.catch(() => undefined);
    await watcher?.cancel();
  }

  /** Deletes batches whose transactions are all on the chain. */
  async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.#ns.delete().key(k)));
  }

  async close(): Promise<void> {
    this.#flush();
    await this.unwatch();
  }
}
