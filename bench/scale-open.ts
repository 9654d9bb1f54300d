/**
 * @module
 * The measuring half of the growth benchmark (scale-bench.ts), run in a process of its own so that
 * memory is a restarted node's: opens the data directory, then times reads, writes and a listing.
 * Usage: node --expose-gc bench/scale-open.ts DIR SMALL_PATIENT_ID; prints one JSON line.
 */
import { writeResources } from '../src/medical/importer.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { startSealPool } from '../src/medical/seal-pool.ts';
import { ensureR4Definitions } from '../src/fhir/definitions.ts';
import { BIG_PATIENT, SCALE_DOCTOR, SCALE_PASSWORD } from './scale-grow.ts';

export interface OpenMeasure {
  readonly openMs: number;
  readonly rssMiB: number;
  /** Live heap after a full garbage collection. */
  readonly heapMiB: number;
  readonly readP50Ms: number;
  readonly readP99Ms: number;
  readonly addP50Ms: number;
  readonly addP99Ms: number;
  readonly listP50Ms: number;
  readonly listP99Ms: number;
  /** A page of 100 of the large patient's records, read and audited, from cursors spread over the list. */
  readonly pageP50Ms: number;
  readonly pageP99Ms: number;
  /** Records of the large patient for the HTTP run to read. */
  readonly sampleIds: readonly string[];
}

const MiB = 1024 * 1024;
const SAMPLES = 200;

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2));
}

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

if (import.meta.main) {
  const [dir, small] = process.argv.slice(2);
  if (!dir || !small) throw new Error('usage: scale-open.ts DIR SMALL_PATIENT_ID');
  const t0 = performance.now();
  const { node } = await MedicalNode.open(dir, {});
  const openMs = Math.round(performance.now() - t0);
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  // As `medledger serve` does before it listens: sealing threads up, FHIR definitions indexed.
  await startSealPool();
  ensureR4Definitions();
  const doctor = node.as(node.login(SCALE_DOCTOR, SCALE_PASSWORD));
  const big = node.state.recordsOf(node.blind(BIG_PATIENT), { limit: 2_000 });
  const reads = await timed(SAMPLES, (i) => doctor.getRecord(big[(i * 7919) % big.length]!.id));
  const adds = await timed(SAMPLES, (i) =>
    writeResources(node, [
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: `probe ${String(i)}` },
        subject: { reference: `Patient/${BIG_PATIENT}` },
      },
    ]),
  );
  const lists = await timed(20, () => doctor.listRecords(small));
  const pages = await timed(SAMPLES, (i) =>
    doctor.listRecordsPage(BIG_PATIENT, {}, { after: big[(i * 7919) % big.length]!.id, limit: 100 }),
  );
  await node.close();
  const m: OpenMeasure = {
    openMs,
    rssMiB: Math.round(mem.rss / MiB),
    heapMiB: Math.round(mem.heapUsed / MiB),
    readP50Ms: percentile(reads, 50),
    readP99Ms: percentile(reads, 99),
    addP50Ms: percentile(adds, 50),
    addP99Ms: percentile(adds, 99),
    listP50Ms: percentile(lists, 50),
    listP99Ms: percentile(lists, 99),
    pageP50Ms: percentile(pages, 50),
    pageP99Ms: percentile(pages, 99),
    // Observations only (the patient's own Patient record is among its records).
    sampleIds: big
      .filter((r) => r.id !== BIG_PATIENT)
      .slice(0, 1000)
      .map((r) => r.id),
  };
  console.log(JSON.stringify(m));
}
