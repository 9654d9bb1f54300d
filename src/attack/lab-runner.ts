/**
 * @module
 * Runs the attack lab in a worker thread, so a server keeps answering while it measures; one run at
 * a time per process (a second caller joins the run in progress), and a time limit after which the
 * worker is terminated.
 */
import { Worker } from 'node:worker_threads';
import type { LabWorkerMessage } from './lab-worker.ts';
import { parseScenarios } from './report.ts';
import type { AttackReport, LabOptions } from './report.ts';

const WORKER_URL = new URL('./lab-worker.ts', import.meta.url);
let running: Promise<AttackReport> | undefined;

/** Whether a run is in progress in this process. */
export function labRunning(): boolean {
  return running !== undefined;
}

/**
 * `runAttackLab(opts)` in a worker thread; rejects when it fails or takes longer than `timeoutMs`
 * (default 60 s). While a run is in progress, later calls get that run's report.
 */
export function runAttackLabInWorker(
  opts: Omit<LabOptions, 'log'>,
  timeoutMs = 60_000,
): Promise<AttackReport> {
  if (running) return running;
  const workerData = { ...opts, scenarios: parseScenarios(opts.scenarios) };
  running = new Promise<AttackReport>((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the attack lab took longer than ${String(timeoutMs)} ms`));
    }, timeoutMs);
    worker.once('message', (m: LabWorkerMessage) => {
      clearTimeout(timer);
      void worker.terminate();
      if ('report' in m) resolve(m.report as AttackReport);
      else reject(new Error(m.error));
    });
    worker.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the attack lab worker exited with code ${String(code)}`));
    });
  }).finally(() => {
    running = undefined;
  });
  return running;
}
