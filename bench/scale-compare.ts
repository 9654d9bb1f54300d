/**
 * @module
 * Growth comparison: the FHIR figures of grown data directories (bench/scale-bench.ts keeps them with
 * `--dir`) measured in turn, round after round, so that the machine's drift and noise fall on every
 * directory alike; reports each run, the median per directory and each directory's ratio to the first.
 * Each run is a server of its own on a directory (bench/scale-http.ts): a restart, then FHIR reads and
 * FHIR creates of the large patient. Writes bench/results/scale-compare.json.
 */
import { cpus } from 'node:os';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { writeResult } from './results.ts';
import { BIG_PATIENT } from './scale-grow.ts';
import { measureHttp } from './scale-http.ts';
import type { HttpMeasure } from './scale-http.ts';

export interface ScaleCompareOptions {
  /** Grown data directories; the first is the reference of the ratios. */
  readonly dirs: readonly string[];
  readonly rounds: number;
  readonly httpSeconds: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

/** Transactions and the large patient's first records of a grown directory (opened and closed). */
async function describeDir(dir: string): Promise<{ txs: number; ids: string[] }> {
  const { node } = await MedicalNode.open(dir, {});
  try {
    const ids = node.state
      .recordsOf(node.blind(BIG_PATIENT), { limit: 1001 })
      .map((r) => r.id)
      .filter((id) => id !== BIG_PATIENT)
      .slice(0, 1000);
    if (ids.length === 0) throw new Error(`${dir}: not a directory grown by the scale benchmark`);
    return { txs: node.ledger.logSize, ids };
  } finally {
    await node.close();
  }
}

export async function runScaleCompare(opts: ScaleCompareOptions): Promise<Record<string, unknown>> {
  if (new Set(opts.dirs).size !== opts.dirs.length) throw new Error('--compare: a directory is named twice');
  // One at a time: a 10^7 directory opened is a node's worth of memory.
  const dirs: { dir: string; txs: number; ids: string[] }[] = [];
  for (const dir of opts.dirs) dirs.push({ dir, ...(await describeDir(dir)) });
  const runs = new Map<string, HttpMeasure[]>(dirs.map((d) => [d.dir, []]));
  for (let round = 1; round <= opts.rounds; round++)
    for (const d of dirs) {
      const m = await measureHttp(d.dir, d.ids, opts.httpSeconds);
      if (m.failed > 0) throw new Error(`${d.dir}: ${String(m.failed)} requests failed`);
      runs.get(d.dir)!.push(m);
      opts.log(
        `round ${String(round)} ${String(d.txs).padStart(9)} txs: FHIR read ${String(m.fhirReadPerSec)}/s ` +
          `p99 ${String(m.fhirReadP99Ms)} ms, create ${String(m.fhirCreatePerSec)}/s p99 ${String(m.fhirCreateP99Ms)} ms`,
      );
    }
  const rows = dirs.map((d) => {
    const ms = runs.get(d.dir)!;
    return {
      txs: d.txs,
      reads: ms.map((m) => m.fhirReadPerSec),
      readP99Ms: ms.map((m) => m.fhirReadP99Ms),
      creates: ms.map((m) => m.fhirCreatePerSec),
      createP99Ms: ms.map((m) => m.fhirCreateP99Ms),
      medianReadPerSec: median(ms.map((m) => m.fhirReadPerSec)),
      medianReadP99Ms: median(ms.map((m) => m.fhirReadP99Ms)),
      medianCreatePerSec: median(ms.map((m) => m.fhirCreatePerSec)),
      medianCreateP99Ms: median(ms.map((m) => m.fhirCreateP99Ms)),
    };
  });
  const ref = rows[0]!;
  const withRatios = rows.map((r) => ({
    ...r,
    readRatio: Number((r.medianReadPerSec / ref.medianReadPerSec).toFixed(3)),
    createRatio: Number((r.medianCreatePerSec / ref.medianCreatePerSec).toFixed(3)),
  }));
  for (const r of withRatios)
    opts.log(
      `${String(r.txs).padStart(9)} txs: median FHIR read ${String(r.medianReadPerSec)}/s (×${String(r.readRatio)}), ` +
        `create ${String(r.medianCreatePerSec)}/s (×${String(r.createRatio)})`,
    );
  const result = {
    benchmark: 'scale-compare',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    how: `one server per run on each directory in turn, ${String(opts.httpSeconds)} s of FHIR reads at 16 connections then ${String(opts.httpSeconds)} s of creates at 64, ${String(opts.rounds)} rounds; ratios of medians to the first directory`,
    rows: withRatios,
  };
  writeResult(opts.out, result);
  return result;
}
