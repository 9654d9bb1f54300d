/**
 * @module
 * A worker thread of the store (read-ahead, checkpoints): started at its first request, answering
 * requests by id, never keeping the process alive. When it fails it is closed for good and what
 * waits gets `undefined`: its work is an optimization the writer can do without.
 */
import { Worker } from 'node:worker_threads';

export class StoreThread<A extends { readonly id: number }> {
  readonly #url: URL;
  readonly #workerData: unknown;
  #worker: Worker | undefined;
  #next = 0;
  #closed = false;
  readonly #waiting = new Map<number, (a: A | undefined) => void>();

  constructor(url: URL, workerData: unknown) {
    this.#url = url;
    this.#workerData = workerData;
  }

  /** Closed, or the thread failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Posts the request `message(id)` and resolves with the answer of that id (undefined once gone). */
  ask(message: (id: number) => unknown): Promise<A | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const worker = this.#start();
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      worker.postMessage(message(id));
    });
  }

  /** Closes for good; returns the running thread, if any, for the caller to stop. */
  close(): Worker | undefined {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    return w;
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = new Worker(this.#url, {
      workerData: this.#workerData,
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    w.unref();
    w.on('message', (a: A) => {
      this.#waiting.get(a.id)?.(a);
      this.#waiting.delete(a.id);
    });
    const gone = (): void => {
      for (const resolve of this.#waiting.values()) resolve(undefined);
      this.#waiting.clear();
    };
    w.on('error', () => {
      this.#closed = true;
      gone();
    });
    w.on('exit', () => {
      gone();
      if (this.#worker === w) this.#worker = undefined;
    });
    this.#worker = w;
    return w;
  }
}
