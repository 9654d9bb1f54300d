/**
 * @module
 * Shared CLI plumbing: the data directory option (MEDLEDGER_DATA may replace --data), output helpers,
 * progress bars only on a TTY, and one error handler that prints a code and message, never a stack.
 */
import { SingleBar, Presets } from 'cli-progress';
import { MedLedgerError } from '../core/errors.ts';

export function dataDir(opt: string | undefined): string {
  const dir = opt ?? process.env.MEDLEDGER_DATA;
  if (!dir) throw new UsageError('no data directory: pass --data DIR or set MEDLEDGER_DATA');
  return dir;
}

export class UsageError extends Error {}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a TTY, otherwise nothing. */
export function progress(label: string): Progress {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** Prints an error the way a user should see it and sets a failing exit code. */
export function reportError(e: unknown): void {
  if (e instanceof MedLedgerError) process.stderr.write(`medledger: ${e.code}: ${e.message}\n`);
  else if (e instanceof UsageError) process.stderr.write(`medledger: ${e.message}\n`);
  else process.stderr.write(`medledger: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}

export function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${name} must be an integer in ${min}..${max}, got "${v}"`);
    return n;
  };
}
