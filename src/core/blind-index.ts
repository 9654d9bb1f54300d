/**
 * @module
 * Keyed blind index for patients (docs/DESIGN.md "Privacy on a replicated ledger"): the chain names a
 * patient only as HMAC-SHA256(indexKey, "medledger:patient:v1" ‖ 0x00 ‖ patient id). Nodes of the
 * consortium share the index key, so they agree on the blind id; without it the id reveals nothing
 * and cannot be linked to a patient by guessing identifiers.
 */
import { createHmac } from 'node:crypto';
import { abytes } from './bytes.ts';
import { ArgumentValueError } from './errors.ts';

const PREFIX = 'medledger:patient:v1\0';

/** The blind id (hex) of a patient's logical id (the FHIR Patient id, without "Patient/"). */
export function blindId(indexKey: Uint8Array, patientId: string): string {
  abytes(indexKey, 32, 'indexKey');
  if (patientId.length === 0) throw new ArgumentValueError('patientId', 'must not be empty');
  return createHmac('sha256', indexKey)
    .update(PREFIX + patientId)
    .digest('hex');
}
