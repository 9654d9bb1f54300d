/**
 * @module
 * Bulk writes by the node itself (the `node` role may write records for any organization it serves):
 * FHIR Bundle import (Synthea style) and seeding. Resources are validated, encrypted and wrapped like
 * any record, their ciphertext and keys stored in one vault transaction per batch, and the signed
 * `record.add` transactions admitted with their signatures checked in parallel.
 */
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { createTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import { prepareBundle } from '../fhir/bundle.ts';
import type { RejectedEntry } from '../fhir/bundle.ts';
import { patientReference } from '../fhir/patient-ref.ts';
import { validateRecord } from '../fhir/validate.ts';
import type { MedicalNode } from './medical-node.ts';
import { recipientsFor, sealRecord } from './record-crypto.ts';
import { stripPatient } from './scoped-ledger.ts';

export interface ImportSummary {
  readonly imported: number;
  readonly rejected: readonly RejectedEntry[];
  readonly unresolvedReferences: number;
  readonly records: readonly string[];
}

const BATCH = 500;

/** Writes already validated resources (each with an id) as records of `org`, signed by the node. */
export async function writeAsNode(
  node: MedicalNode,
  resources: readonly Resource[],
  org = node.org,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < resources.length; i += BATCH) {
    const batch = resources.slice(i, i + BATCH);
    const blobs: Uint8Array[] = [];
    const keys = [];
    const txs: Tx[] = [];
    for (const r of batch) {
      const id = r.id ?? randomUUID();
      const ref = patientReference(r);
      const patient = ref ? node.blind(stripPatient(ref)) : undefined;
      const stored = { ...r, id, meta: { ...r.meta, versionId: '1' } } as Resource;
      const recipients = recipientsFor(
        node.ledger.directory,
        node.state,
        node.now,
        patient,
        org,
        r.resourceType,
      );
      const sealed = sealRecord(id, stored, recipients);
      blobs.push(sealed.ciphertext);
      keys.push(...sealed.keys);
      const payload = {
        record: id,
        ...(patient ? { patient } : {}),
        org,
        blob: sealed.blob,
        size: sealed.ciphertext.length,
      };
      txs.push(createTx(node.signerOfNode(), 'record.add', payload, { time: node.now }));
      ids.push(id);
    }
    node.vault.put({ blobs, keys });
    const results = await node.ledger.submitMany(txs, { signedHere: true });
    const failed = results.find((x) => 'error' in x);
    if (failed && 'error' in failed) throw failed.error;
    await node.commit();
  }
  return ids;
}

/** Imports a FHIR Bundle: new ids, references rewritten, every entry validated; invalid ones reported. */
export async function importBundle(
  node: MedicalNode,
  bundle: unknown,
  org = node.org,
): Promise<ImportSummary> {
  const p = prepareBundle(bundle, { newId: randomUUID });
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
  return writeAsNode(
    node,
    resources.map((r) => validateRecord(r)),
    org,
  );
}
