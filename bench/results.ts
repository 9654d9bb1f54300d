/**
 * @module
 * Where a benchmark's result goes: pretty JSON at `out` (bench/results/*.json), its folder created.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeResult(out: string | undefined, result: unknown): void {
  if (out === undefined) return;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}
