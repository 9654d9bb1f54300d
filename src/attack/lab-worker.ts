/**
 * @module
 * Worker thread entry of the attack lab: runs `runAttackLab` with the options in `workerData` and
 * posts back the report (or the error message). Hashing, scrypt and mining loops block the thread
 * they run on; here that is not a server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runAttackLab } from './report.ts';
import type { LabOptions } from './report.ts';

export type LabWorkerMessage = { readonly report: unknown } | { readonly error: string };

const opts = workerData as Omit<LabOptions, 'log'>;
runAttackLab(opts).then(
  (report) => {
    parentPort?.postMessage({ report } satisfies LabWorkerMessage);
  },
  (e: unknown) => {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies LabWorkerMessage);
  },
);
