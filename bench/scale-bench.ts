/**
 * @module
 * Growth benchmark: how a node's costs move with the length of its chain. One data directory grows
 * through the real write path (records validated, encrypted, wrapped, signed and committed; access
 * events from real audited reads) to each size in turn, about 20 % record transactions and 80 %
 * access events, over one patient per 1,000 transactions, with half of all records on one patient
 * (the shape device data gives). At each size the node is closed and a new process opens it
 * (bench/scale-open.ts): time to open, resident memory and live heap after open, and p50/p99 of
 * reading one of the large patient's records, adding one, listing a small patient's records and a
 * page of the large one's; then `medledger serve` on it, loaded over HTTP with FHIR reads and creates
 * (bench/scale-http.ts). Disk bytes per transaction come from the data directory. Writes
 * bench/results/scale.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerExists } from '../src/chain/data-dir.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import type { OpenMeasure } from './scale-open.ts';
import { writeResult } from './results.ts';
import { measureHttp } from './scale-http.ts';
import { RECORD_SHARE, SCALE_PASSWORD, scalePatients, startGrowth } from './scale-grow.ts';

export interface ScaleBenchOptions {
  /** Chain sizes (transactions) to measure at, ascending. */
  readonly sizes: readonly number[];
  /** Seconds per HTTP run (FHIR reads, then creates) at each size. */
  readonly httpSeconds: number;
  readonly out?: string | undefined;
  /**
   * Grow (and keep) this data directory instead of a temporary one: a directory grown before goes on
   * from where it stands, and one already past the last size is measured as it is.
   */
  readonly dir?: string | undefined;
  readonly log: (line: string) => void;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** Opens the data directory in a new process and measures it there (a restart, as an operator has it). */
function measureOpen(dir: string, smallPatient: string): OpenMeasure {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', join(import.meta.dirname, 'scale-open.ts'), dir, smallPatient],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`scale-open failed (${String(r.status)}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as OpenMeasure;
}

export async function runScaleBench(opts: ScaleBenchOptions): Promise<Record<string, unknown>> {
  const top = opts.dir === undefined ? mkdtempSync(join(tmpdir(), 'medledger-scale-')) : undefined;
  const dir = opts.dir ?? join(top!, 'node');
  const resumed = ledgerExists(dir);
  const final = opts.sizes.at(-1) ?? 0;
  const patients = scalePatients(final);
  const rows: Record<string, unknown>[] = [];
  try {
    let { node } = await MedicalNode.open(dir, {
      adminPassword: SCALE_PASSWORD,
      kdf: { N: 2 ** 12, r: 8, p: 1 },
    });
    const growth = await startGrowth(node, patients, !resumed);
    for (const size of opts.sizes) {
      // The patients' own records come first: a size they already pass would measure no growth (the
      // last size is measured all the same: a kept directory measured again).
      if (node.ledger.store.txCount() >= size && (size !== final || rows.length > 0)) continue;
      const t0 = performance.now();
      await growth.growTo(size);
      const txs = node.ledger.store.txCount();
      const growMs = performance.now() - t0;
      await node.close();
      // On disk before the measurements add their own records.
      const diskBytesPerTx = Math.round(dirBytes(dir) / txs);
      const { sampleIds, ...open } = measureOpen(dir, patients[1]!);
      const http = await measureHttp(dir, sampleIds, opts.httpSeconds);
      const row = {
        txs,
        records: growth.written,
        patients: patients.length,
        bigPatientRecords: Math.ceil(growth.written / 2),
        growSeconds: Number((growMs / 1000).toFixed(1)),
        diskBytesPerTx,
        ...open,
        ...http,
      };
      rows.push(row);
      opts.log(
        `${String(txs).padStart(9)} txs: open ${String(open.openMs)} ms, rss ${String(open.rssMiB)} MiB, ` +
          `heap ${String(open.heapMiB)} MiB, ${String(row.diskBytesPerTx)} B/tx on disk; read p99 ` +
          `${String(open.readP99Ms)} ms, add p99 ${String(open.addP99Ms)} ms, list p99 ${String(open.listP99Ms)} ms, ` +
          `page p99 ${String(open.pageP99Ms)} ms; FHIR read ${String(http.fhirReadPerSec)}/s p99 ` +
          `${String(http.fhirReadP99Ms)} ms, create ${String(http.fhirCreatePerSec)}/s p99 ${String(http.fhirCreateP99Ms)} ms` +
          (http.failed > 0 ? ` (${String(http.failed)} FAILED)` : ''),
      );
      ({ node } = await MedicalNode.open(dir, {}));
      growth.node = node;
    }
    await node.close();
    const result = {
      benchmark: 'scale',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      recordShare: RECORD_SHARE,
      rows,
    };
    writeResult(opts.out, result);
    return result;
  } finally {
    if (top !== undefined) rmSync(top, { recursive: true, force: true });
  }
}
