/**
 * @module
 * The JavaScript heaps of the node's worker threads (signature, sealing, monitor and mining threads),
 * for `/metrics`: each thread has a heap of its own that the main thread's figures do not include.
 */
import type { Worker } from 'node:worker_threads';

/**
 * Heap bounds of a worker thread: old generation `heapMiB`, young generation a quarter of it (V8 would
 * otherwise size it for a main thread, and a thread's reserved heap kept growing for many minutes).
 */
export function threadLimits(heapMiB: number): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
} {
  return { maxOldGenerationSizeMb: heapMiB, maxYoungGenerationSizeMb: Math.max(4, Math.round(heapMiB / 4)) };
}

const live = new Map<Worker, string>();

/** Counts `worker`'s heap under `name` until it exits. */
export function trackHeap(name: string, worker: Worker): void {
  live.set(worker, name);
  worker.once('exit', () => live.delete(worker));
}

/** Bytes of heap in use and reserved, summed per thread name (threads that do not answer are skipped). */
export async function threadHeaps(): Promise<
  { name: string; threads: number; used: number; total: number }[]
> {
  const sums = new Map<string, { threads: number; used: number; total: number }>();
  await Promise.all(
    [...live].map(async ([w, name]) => {
      try {
        const h = await w.getHeapStatistics();
        const s = sums.get(name) ?? { threads: 0, used: 0, total: 0 };
        sums.set(name, {
          threads: s.threads + 1,
          used: s.used + h.used_heap_size,
          total: s.total + h.total_heap_size,
        });
      } catch {
        // the thread is exiting
      }
    }),
  );
  return [...sums].map(([name, s]) => ({ name, ...s }));
}
