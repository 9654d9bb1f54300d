/**
 * @module
 * A worker script for the WorkerPool tests (worker-pool.test.ts): doubles numbers; a batch holding a
 * negative number makes the thread exit mid-batch, as a crashing worker would.
 */
import { parentPort, workerData } from 'node:worker_threads';

export const ECHO_WORKER = 'medledger-echo-test';

const port = workerData === ECHO_WORKER ? parentPort : null;
port?.on('message', (m: { id: number; xs: number[] }) => {
  if (m.xs.some((x) => x < 0)) process.exit(1);
  port.postMessage({ id: m.id, ys: m.xs.map((x) => 2 * x) });
});
port?.postMessage('ready');
