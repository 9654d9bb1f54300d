/**
 * @module
 * Bulk writes by the node itself (the `node` role may write records for any organization it serves):
 * FHIR Bundle import (Synthea style) and seeding. Resources are validated, encrypted and wrapped like
 * any record, their ciphertext and keys stored in one vault transaction per batch, and the signed
 * `record.add` transactions admitted with their signatures checked in parallel.
 */
import { newRecordId } from '../core/record-id.ts';
import { setImmediate } from 'node:timers/promises';
import type { Resource } from '@medplum/fhirtypes';
import { createTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import { prepareBundle } from '../fhir/bundle.ts';
import type { RejectedEntry } from '../fhir/bundle.ts';
import { patientReference } from '../fhir/patient-ref.ts';
import { validateRecord } from '../fhir/validate.ts';
import type { MedicalNode } from './medical-node.ts';
import type { RecordBlob } from './vault.ts';
import { recipientsFor, recordPayload, sealJob } from './record-crypto.ts';
import { sealAll } from './seal-pool.ts';
import type { SealResult } from './seal-pool.ts';
import { stripPatient } from '../fhir/patient-ref.ts';

export interface ImportSummary {
  readonly imported: number;
  readonly rejected: readonly RejectedEntry[];
  readonly unresolvedReferences: number;
  readonly records: readonly string[];
}

const BATCH = 500;

interface SealedBatch {
  readonly ids: string[];
  readonly patients: (string | undefined)[];
  readonly sealed: Promise<SealResult[]>;
}

/** Starts sealing a batch of validated resources (in the sealing threads once they are up). */
function startSealing(node: MedicalNode, batch: readonly Resource[], org: string): SealedBatch {
  const ids: string[] = [];
  const patients: (string | undefined)[] = [];
  const jobs = batch.map((r) => {
    const id = r.id ?? newRecordId();
    const ref = patientReference(r);
    const patient = ref ? node.blind(stripPatient(ref)) : undefined;
    ids.push(id);
    patients.push(patient);
    const stored = { ...r, id, meta: { ...r.meta, versionId: '1' } } as Resource;
    const recipients = recipientsFor(
      node.ledger.directory,
      node.state,
      node.now,
      patient,
      org,
      r.resourceType,
    );
    node.noteRecipients(id);
    return sealJob(id, stored, recipients);
  });
  const sealed = sealAll(jobs);
  // Awaited only when the batch is committed: until then a failure must not count as unhandled.
  sealed.catch(() => undefined);
  return { ids, patients, sealed };
}

/** Signs a sealed batch's `record.add` transactions, stores its ciphertext and keys, and commits it. */
async function commitBatch(node: MedicalNode, batch: SealedBatch, org: string): Promise<void> {
  const sealed = await batch.sealed;
  const blobs: RecordBlob[] = [];
  const keys = [];
  const txs: Tx[] = [];
  for (const [j, s] of sealed.entries()) {
    if (s instanceof Error) throw s;
    blobs.push({ record: batch.ids[j]!, data: s.ciphertext });
    keys.push(...s.keys);
    const payload = recordPayload(batch.ids[j]!, s, batch.patients[j], org);
    txs.push(createTx(node.signerOfNode(), 'record.add', payload, { time: node.now }));
  }
  node.vault.put({ blobs, keys });
  const results = await node.ledger.submitMany(txs, { signedHere: true });
  const failed = results.find((x) => 'error' in x);
  if (failed && 'error' in failed) throw failed.error;
  await node.commit();
}

/** Lets the event loop run: batches can complete through promises alone (requests, worker answers wait). */
const turn = (): Promise<void> => setImmediate();

/**
 * Writes resources as records of `org`, signed by the node, after `check` passed every one of them:
 * nothing is written when one fails the check. Checking runs on this thread while the sealing threads
 * already encrypt the batches checked before; batches are then committed in order as they come back
 * sealed (every ciphertext of the call is held until then: about the size of the input). A failure
 * after the checks (sealing, storage, admission) stops at its batch; the batches before it stay.
 */
async function write<T>(
  node: MedicalNode,
  inputs: readonly T[],
  org: string,
  check: (input: T) => Resource,
): Promise<string[]> {
  const batches: SealedBatch[] = [];
  for (let i = 0; i < inputs.length; i += BATCH) {
    batches.push(startSealing(node, inputs.slice(i, i + BATCH).map(check), org));
    await turn();
  }
  const ids: string[] = [];
  for (const b of batches) {
    await commitBatch(node, b, org);
    ids.push(...b.ids);
    await turn();
  }
  return ids;
}

/** Writes already validated resources (each with an id) as records of `org`, signed by the node. */
export function writeAsNode(
  node: MedicalNode,
  resources: readonly Resource[],
  org = node.org,
): Promise<string[]> {
  return write(node, resources, org, (r) => r);
}

/** Imports a FHIR Bundle: new ids, references rewritten, every entry validated; invalid ones reported. */
export async function importBundle(
  node: MedicalNode,
  bundle: unknown,
  org = node.org,
): Promise<ImportSummary> {
  const p = prepareBundle(bundle, { newId: newRecordId });
  if (p.type === 'transaction' && p.rejected.length > 0)
    return { imported: 0, rejected: p.rejected, unresolvedReferences: p.unresolved.length, records: [] };
  const records = await writeAsNode(
    node,
    p.entries.map((e) => e.resource),
    org,
  );
  return {
    imported: records.length,
    rejected: p.rejected,
    unresolvedReferences: p.unresolved.length,
    records,
  };
}

/** Validates and writes plain resources (seeding); throws on the first invalid one. */
export async function writeResources(
  node: MedicalNode,
  resources: readonly unknown[],
  org = node.org,
): Promise<string[]> {
  return write(node, resources, org, (r) => validateRecord(r));
}
