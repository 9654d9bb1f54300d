/**
 * @module
 * What a decrypted record is to the rest of the node: the view a reader is given (a version with its
 * place on the chain) and the metadata the consent policy decides on (owner, organization, author,
 * type, clinical date).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { RecordMeta } from '../core/consent.ts';
import { clinicalDate } from '../fhir/clinical-date.ts';
import type { RecordEntry } from '../state-machine/medical-state.ts';

export interface RecordView {
  /** The logical id (the original record's id; FHIR `id`). */
  readonly id: string;
  /** The chain record id of this version. */
  readonly recordId: string;
  readonly version: number;
  readonly tx: string;
  readonly height: number;
  readonly time: number;
  readonly author: string;
  readonly org: string;
  readonly resource: Resource;
}

/** Version `version` of the record `id`, stored as chain record `e`, decrypted to `resource`. */
export function recordView(e: RecordEntry, id: string, version: number, resource: Resource): RecordView {
  return {
    id,
    recordId: e.id,
    version,
    tx: e.tx,
    height: e.height,
    time: e.time,
    author: e.author,
    org: e.org,
    resource,
  };
}

/** The policy's view of a record: `patient` is the blind index ('' for a record of no patient). */
export function recordMeta(
  id: string,
  patient: string | undefined,
  org: string,
  author: string,
  r: Resource,
): RecordMeta {
  const date = clinicalDate(r);
  const t = date ? Date.parse(date) : NaN;
  return {
    id,
    patient: patient ?? '',
    org,
    author,
    type: r.resourceType,
    ...(Number.isNaN(t) ? {} : { date: t }),
  };
}
