/**
 * @module
 * The block producer: one mining loop at a time over the ledger's pending list. `commit()` mines
 * everything pending; `settle(tx)` resolves once that transaction is in a committed block (or rejects
 * when the ledger drops it), so many requests share each block. With `auto` (servers) the loop also
 * starts on `nudge()` and lets requests run for `intervalMs` before sealing what they submitted,
 * instead of mining one tiny block per request; less when somebody waits and no write announced with
 * `expect()` is still on its way. `beforeBlock` runs before each block is mined (the
 * node makes the vault durable there). In a consortium only the elected proposer mines (`proposer`);
 * every node's waiters are answered when the block holding their transaction arrives from the orderer.
 */
import { StoreConflictError, TxNotFoundError, TxNotPermittedError } from '../core/errors.ts';
import { DEFAULT_MAX_BLOCK_TXS } from './chain-node.ts';
import type { ChainNode } from './chain-node.ts';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class BlockProducer {
  /** Mine as soon as transactions are pending (servers); off, callers `commit()` themselves. */
  auto = false;
  /** With `auto`, how long transactions gather before a block is sealed. */
  intervalMs = 10;
  /** Most transactions per block. */
  maxBlockTxs = DEFAULT_MAX_BLOCK_TXS;
  /** Whether this node may propose blocks now (always, solo; the election's winner, consortium). */
  proposer: () => boolean = () => true;
  readonly #ledger: ChainNode;
  readonly #beforeBlock: () => void;
  readonly #waiters = new Map<string, Waiter[]>();
  #mining: Promise<void> | undefined;
  /** Announced transactions not yet submitted ({@link expect}). */
  #expected = 0;
  /** Ends the current gathering early, while one runs. */
  #wake: (() => void) | undefined;
  #wakeQueued = false;

  constructor(ledger: ChainNode, beforeBlock: () => void) {
    this.#ledger = ledger;
    this.#beforeBlock = beforeBlock;
    // Blocks proposed elsewhere (consortium) commit through the orderer: answer their waiters, and
    // try again to propose what is still pending now that the head moved.
    ledger.onCommit((txs) => {
      this.#settleWaiters(txs);
      queueMicrotask(() => {
        this.#start();
      });
    });
  }

  /** Mines and commits every pending transaction; returns the number of blocks mined meanwhile. */
  async commit(): Promise<number> {
    const before = this.#ledger.height;
    if (!this.proposer()) {
      await Promise.all(this.#ledger.pendingIds().map((id) => this.settle(id).catch(() => undefined)));
      return this.#ledger.height - before;
    }
    this.#start();
    while (this.#mining) await this.#mining;
    return this.#ledger.height - before;
  }

  /** Resolves once the pending transaction `txId` is committed, or rejects if the ledger drops it. */
  settle(txId: string): Promise<void> {
    // Pending first: a map lookup, where the store would be an index probe on every request.
    if (!this.#ledger.isPending(txId)) {
      return this.#ledger.store.txById(txId) ? Promise.resolve() : Promise.reject(new TxNotFoundError(txId));
    }
    const p = new Promise<void>((resolve, reject) => {
      const list = this.#waiters.get(txId) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(txId, list);
    });
    this.#start();
    this.#wakeSoon();
    return p;
  }

  /**
   * Announces a transaction on its way to the pending list (a write being validated and sealed):
   * with `auto`, a block being gathered waits for it, at most `intervalMs`. Call the returned function
   * once it is submitted or has failed.
   */
  expect(): () => void {
    this.#expected++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#expected--;
      this.#wakeSoon();
    };
  }

  /** Runs `write`, which submits a transaction, announced ({@link expect}) until it ends. */
  async announced<T>(write: () => Promise<T>): Promise<T> {
    const submitted = this.expect();
    try {
      return await write();
    } finally {
      submitted();
    }
  }

  /** With `auto`, starts the loop for what was just submitted (access events, …). */
  nudge(): void {
    if (this.auto) this.#start();
  }

  #start(): void {
    if (this.#mining || this.#ledger.pendingCount === 0 || !this.proposer()) return;
    let conflict = false;
    this.#mining = (async () => {
      while (this.#ledger.pendingCount > 0 && this.proposer()) {
        if (this.auto && this.#ledger.pendingCount < this.maxBlockTxs) await this.#gather();
        this.#beforeBlock();
        try {
          await this.#ledger.mine({ maxTxs: this.maxBlockTxs, urgent: this.#waiters.size > 0 });
        } catch (e) {
          // Another proposer ordered a block first (consortium): its block reaches this node
          // through the orderer, and the commit listener restarts the loop on the new head.
          if (!(e instanceof StoreConflictError)) throw e;
          conflict = true;
          return;
        }
        this.#settleWaiters([]);
      }
    })().finally(() => {
      this.#mining = undefined;
      if (!conflict) this.#start();
    });
    this.#mining.catch((e: unknown) => {
      for (const list of this.#waiters.values()) for (const w of list) w.reject(e);
      this.#waiters.clear();
    });
  }

  /**
   * Waits before a block is sealed so that it takes what requests are about to submit: `intervalMs`,
   * or less once somebody waits for a pending transaction and no announced one is still on its way
   * (more waiting would only delay them). Group commit as PostgreSQL's commit_delay, which waits only
   * while commit_siblings other transactions are active.
   */
  #gather(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, this.intervalMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wakeSoon();
    });
  }

  /**
   * Ends the gathering when nothing announced is on its way and somebody waits, checked once the
   * current I/O callbacks and their microtasks have run (the writes of one burst submit together).
   */
  #wakeSoon(): void {
    if (this.#wakeQueued || !this.#wake) return;
    this.#wakeQueued = true;
    setImmediate(() => {
      this.#wakeQueued = false;
      if (this.#expected === 0 && this.#waiters.size > 0) this.#wake?.();
    });
  }

  /**
   * Answers the waiters whose transaction left the pending list: committed (in `committed`, the
   * transactions of the block just committed, or else in the store) or dropped. Also run after each
   * block this node mines rather than only in the commit listener, because a block commits in a
   * microtask of its own and a waiter may register between that commit and the pending list's update.
   */
  #settleWaiters(committed: readonly { readonly id: string }[]): void {
    if (this.#waiters.size === 0) return;
    for (const { id } of committed) {
      const list = this.#waiters.get(id);
      if (!list) continue;
      this.#waiters.delete(id);
      for (const w of list) w.resolve();
    }
    for (const [id, list] of this.#waiters) {
      if (this.#ledger.isPending(id)) continue;
      this.#waiters.delete(id);
      const inStore = this.#ledger.store.txById(id) !== undefined;
      for (const w of list)
        if (inStore) w.resolve();
        else w.reject(new TxNotPermittedError('the transaction was dropped before commit', { txId: id }));
    }
  }
}
