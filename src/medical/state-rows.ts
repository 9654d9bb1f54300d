/**
 * @module
 * Rows of the state tables (sqlite-medical-state.ts) and the entries they stand for: hex ids are
 * stored as their bytes, lists as JSON. `canonicalRow` gives any row one comparable form.
 */
import type { ConsentEntry, ErasureRequestEntry, RecordEntry } from '../state-machine/medical-state.ts';
import type { ConsentGrantPayload } from '../state-machine/payloads.ts';

export interface RecordRow {
  id: string;
  patient: Uint8Array | null;
  org: string;
  author: string;
  blob: Uint8Array;
  size: number;
  tx: Uint8Array;
  height: number;
  time: number;
  amends: string | null;
  amended_by: string | null;
  erased_by: Uint8Array | null;
}

export interface ConsentRow {
  id: Uint8Array;
  grant_json: string;
  height: number;
  granted_at: number;
  revoked_by: Uint8Array | null;
  revoked_at: number | null;
}

export interface RequestRow {
  id: Uint8Array;
  patient: Uint8Array;
  records: string | null;
  signer: string;
  time: number;
  approved_by: Uint8Array | null;
}

/** Any row as one string: columns sorted by name, bytes as hex (for comparing two tables). */
export function canonicalRow(row: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k] instanceof Uint8Array ? hex(row[k]) : row[k]]),
  );
}

export function bytes(h: string): Uint8Array {
  return Buffer.from(h, 'hex');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function recordOf(r: RecordRow | undefined): RecordEntry | undefined {
  if (!r) return undefined;
  return {
    id: r.id,
    patient: r.patient === null ? undefined : hex(r.patient),
    org: r.org,
    author: r.author,
    blob: hex(r.blob),
    size: r.size,
    tx: hex(r.tx),
    height: r.height,
    time: r.time,
    amends: r.amends ?? undefined,
    amendedBy: r.amended_by === null ? [] : (JSON.parse(r.amended_by) as string[]),
    ...(r.erased_by === null ? {} : { erasedBy: hex(r.erased_by) }),
  };
}

export function consentOf(r: ConsentRow | undefined): ConsentEntry | undefined {
  if (!r) return undefined;
  const id = hex(r.id);
  return {
    ...(JSON.parse(r.grant_json) as ConsentGrantPayload),
    id,
    tx: id,
    height: r.height,
    grantedAt: r.granted_at,
    ...(r.revoked_by === null ? {} : { revokedBy: hex(r.revoked_by), revokedAt: r.revoked_at! }),
  };
}

export function requestOf(r: RequestRow | undefined): ErasureRequestEntry | undefined {
  if (!r) return undefined;
  return {
    patient: hex(r.patient),
    records: r.records === null ? null : (JSON.parse(r.records) as string[]),
    tx: hex(r.id),
    signer: r.signer,
    time: r.time,
    ...(r.approved_by === null ? {} : { approvedBy: hex(r.approved_by) }),
  };
}
