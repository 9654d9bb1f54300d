/**
 * @module
 * Worker thread entry: mines block headers (core/pow.ts) off the main thread, one message per header.
 */
import { parentPort } from 'node:worker_threads';
import type { BlockHeader } from '../core/block.ts';
import { mine } from '../core/pow.ts';

export interface MineJob {
  readonly id: number;
  readonly header: Omit<BlockHeader, 'nonce'>;
}

parentPort?.on('message', (job: MineJob) => {
  try {
    parentPort?.postMessage({ id: job.id, result: mine(job.header) });
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
