/**
 * @module
 * How the growth benchmark (and the bounded-memory test) grow a node's chain through the real write
 * path: records validated, encrypted, wrapped, signed and committed; access events from real audited
 * reads. About 20 % record transactions and 80 % access events, one patient per 1,000 transactions,
 * half of all records on one patient (the shape device data gives).
 */
import { writeResources } from '../src/medical/importer.ts';
import type { MedicalNode } from '../src/medical/medical-node.ts';

export const SCALE_PASSWORD = 'benchmark password';
export const SCALE_DOCTOR = 'd@scale.example';
/** The patient holding half of all records. */
export const BIG_PATIENT = 'scale-patient-0';
export const RECORD_SHARE = 0.2;
export const TXS_PER_PATIENT = 1000;
const BATCH = 500;

function observation(i: number, patient: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    valueQuantity: { value: 60 + (i % 40), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

/** The patient ids of a chain grown to `txs` transactions. */
export function scalePatients(txs: number): string[] {
  return Array.from(
    { length: Math.max(20, Math.ceil(txs / TXS_PER_PATIENT)) },
    (_, i) => `scale-patient-${String(i)}`,
  );
}

export interface Growth {
  /** The open node to grow (replace it after reopening the directory). */
  node: MedicalNode;
  /** Observations written so far. */
  readonly written: number;
  /** Writes and reads until the chain holds at least `txs` transactions. */
  growTo(txs: number): Promise<void>;
}

/** Starts growing `node`'s chain; `fresh`: create the patients and the doctor first. */
export async function startGrowth(
  node: MedicalNode,
  patients: readonly string[],
  fresh: boolean,
): Promise<Growth> {
  if (fresh) {
    await writeResources(
      node,
      patients.map((id) => ({ resourceType: 'Patient', id, gender: 'unknown' })),
    );
    await node.createUser({ email: SCALE_DOCTOR, name: 'D', password: SCALE_PASSWORD, role: 'doctor' });
    await node.commit();
  }
  let written = node.state.records.size - patients.length;
  const recent = node.state.recordsOf(node.blind(BIG_PATIENT), { limit: 10_000 }).map((r) => r.id);
  const growth: Growth = {
    node,
    get written() {
      return written;
    },
    async growTo(size) {
      const n = growth.node;
      const doctor = n.as(n.login(SCALE_DOCTOR, SCALE_PASSWORD));
      while (n.ledger.store.txCount() < size) {
        const left = size - n.ledger.store.txCount();
        const records = Math.max(1, Math.min(BATCH, Math.round(left * RECORD_SHARE)));
        // Half of the records on the large patient, the rest spread over everyone.
        const batch = Array.from({ length: records }, (_, k) => {
          const i = written + k;
          return observation(i, i % 2 === 0 ? BIG_PATIENT : patients[(i >> 1) % patients.length]!);
        });
        const ids = await writeResources(n, batch);
        written += ids.length;
        recent.push(...ids);
        recent.splice(0, Math.max(0, recent.length - 10_000));
        const reads = Math.min(left - records, Math.round(records * ((1 - RECORD_SHARE) / RECORD_SHARE)));
        for (let k = 0; k < reads; k++) {
          await doctor.getRecord(recent[(k * 7919) % recent.length]!);
          if (n.ledger.pendingCount >= 1000) await n.commit();
        }
        await n.commit();
      }
    },
  };
  return growth;
}
