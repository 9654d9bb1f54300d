/**
 * @module
 * The medical contracts' state, replayed deterministically from committed transactions: records and
 * their amendments, consent grants and revocations, erasure requests and erasures. The access log is
 * not held here: it is most of the chain and lives on disk (node/access-log.ts, ledger/access-events.ts).
 * It holds only what the chain holds (blind ids, record ids, blob hashes): no PHI.
 * `admissible` gives the rules that need this history (an amendment's target exists and belongs to the
 * same patient, a revocation names the signer's own active grant, an erasure approves an open request).
 */
import type { ConsentGrant } from '../core/consent.ts';
import type { Tx, TxType } from '../core/tx.ts';
import type { AccessLogPayload, ErasureRequestPayload } from './payloads.ts';
import {
  parseConsentGrant,
  parseConsentRevoke,
  parseErasureRequest,
  parseRecord,
  parseRecordErase,
} from './payloads.ts';

/** The transaction types this state is made of (access.log is not: see the module comment). */
export const MEDICAL_TX_TYPES: readonly TxType[] = [
  'record.add',
  'record.amend',
  'record.erase',
  'erasure.request',
  'consent.grant',
  'consent.revoke',
];

export interface RecordEntry {
  readonly id: string;
  readonly patient: string | undefined;
  readonly org: string;
  readonly author: string;
  readonly blob: string;
  readonly size: number;
  readonly tx: string;
  readonly height: number;
  readonly time: number;
  /** The original record this one amends (for amendments). */
  readonly amends: string | undefined;
  /** Amendments of this record, oldest first. */
  readonly amendedBy: string[];
  erasedBy?: string;
}

export interface ConsentEntry extends ConsentGrant {
  readonly tx: string;
  readonly height: number;
  readonly grantedAt: number;
  revokedBy?: string;
}

export interface AccessEntry extends AccessLogPayload {
  readonly tx: string;
  readonly height: number;
  readonly time: number;
}

export interface ErasureRequestEntry extends ErasureRequestPayload {
  readonly tx: string;
  readonly signer: string;
  readonly time: number;
  approvedBy?: string;
}

export class MedicalState {
  readonly records = new Map<string, RecordEntry>();
  /** Consent grants applied so far: a record sealed at the current epoch saw every committed grant. */
  consentEpoch = 0;
  readonly consents = new Map<string, ConsentEntry>();
  readonly erasureRequests = new Map<string, ErasureRequestEntry>();
  readonly #byPatient = new Map<string, string[]>();
  readonly #consentsByPatient = new Map<string, string[]>();
  height = -1;

  /** Original records (not amendments) of a patient, in chain order. */
  recordsOf(patient: string): RecordEntry[] {
    return (this.#byPatient.get(patient) ?? []).map((id) => this.records.get(id)!);
  }

  consentsOf(patient: string): ConsentEntry[] {
    return (this.#consentsByPatient.get(patient) ?? []).map((id) => this.consents.get(id)!);
  }

  patients(): string[] {
    return [...this.#byPatient.keys()];
  }

  /** The reason `tx` cannot be admitted given the committed history, or undefined. */
  admissible(tx: Tx): string | undefined {
    const p = tx.body.payload;
    switch (tx.body.type) {
      case 'record.add': {
        const r = parseRecord(p, false);
        if (typeof r === 'string') return r;
        return this.records.has(r.record) ? `record ${r.record} exists` : undefined;
      }
      case 'record.amend': {
        const r = parseRecord(p, true);
        if (typeof r === 'string') return r;
        if (this.records.has(r.record)) return `record ${r.record} exists`;
        const target = this.records.get(r.amends ?? '');
        if (!target || target.amends !== undefined)
          return `amended record ${String(r.amends)} is not an original record`;
        if (target.erasedBy) return `record ${target.id} was erased`;
        return target.patient === r.patient ? undefined : 'an amendment keeps the patient of the original';
      }
      case 'consent.revoke': {
        const r = parseConsentRevoke(p);
        if (typeof r === 'string') return r;
        const c = this.consents.get(r.consent);
        if (!c) return `no consent ${r.consent}`;
        if (c.revokedBy) return `consent ${r.consent} is already revoked`;
        return undefined; // the signer is checked against the grant's patient by the node
      }
      case 'record.erase': {
        const r = parseRecordErase(p);
        if (typeof r === 'string') return r;
        const req = this.erasureRequests.get(r.request);
        if (!req) return `no erasure request ${r.request}`;
        if (req.approvedBy) return `erasure request ${r.request} was already carried out`;
        for (const id of r.records) {
          const rec = this.records.get(id);
          if (rec?.patient !== req.patient) return `record ${id} is not a record of the requesting patient`;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Applies a committed block's transactions. */
  apply(txs: readonly Tx[], height: number): void {
    for (const tx of txs) this.#apply(tx, height);
    this.height = height;
  }

  #apply(tx: Tx, height: number): void {
    const { type, payload, signer, time } = tx.body;
    switch (type) {
      case 'record.add':
      case 'record.amend': {
        const r = parseRecord(payload, type === 'record.amend');
        if (typeof r === 'string' || this.records.has(r.record)) return;
        this.records.set(r.record, {
          id: r.record,
          patient: r.patient,
          org: r.org,
          author: signer,
          blob: r.blob,
          size: r.size,
          tx: tx.id,
          height,
          time,
          amends: r.amends,
          amendedBy: [],
        });
        if (r.amends !== undefined) this.records.get(r.amends)?.amendedBy.push(r.record);
        else if (r.patient !== undefined) push(this.#byPatient, r.patient, r.record);
        return;
      }
      case 'consent.grant': {
        const g = parseConsentGrant(payload);
        if (typeof g === 'string') return;
        this.consents.set(tx.id, { ...g, id: tx.id, tx: tx.id, height, grantedAt: time });
        this.consentEpoch++;
        push(this.#consentsByPatient, g.patient, tx.id);
        return;
      }
      case 'consent.revoke': {
        const r = parseConsentRevoke(payload);
        const c = typeof r === 'string' ? undefined : this.consents.get(r.consent);
        if (c && !c.revokedBy) {
          c.revokedBy = tx.id;
          (c as { revokedAt?: number }).revokedAt = time;
        }
        return;
      }
      case 'erasure.request': {
        const r = parseErasureRequest(payload);
        if (typeof r !== 'string') this.erasureRequests.set(tx.id, { ...r, tx: tx.id, signer, time });
        return;
      }
      case 'record.erase': {
        const r = parseRecordErase(payload);
        if (typeof r === 'string') return;
        const req = this.erasureRequests.get(r.request);
        if (req) req.approvedBy = tx.id;
        for (const id of r.records) {
          const rec = this.records.get(id);
          if (rec && !rec.erasedBy) rec.erasedBy = tx.id;
        }
        return;
      }
      default:
        return;
    }
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
