/**
 * @module
 * The medical contracts' state, derived deterministically from committed transactions: records and
 * their amendments, consent grants and revocations, erasure requests and erasures. It holds only what
 * the chain holds (blind ids, record ids, blob hashes): no PHI. The access log is not part of it: it
 * is most of the chain and has a table of its own (node/access-log.ts, ledger/access-events.ts).
 *
 * `MedicalStateStore` is the interface; `applyMedicalTxs` is the one definition of how a block changes
 * it, written against the primitive changes of `MedicalStateChanges`, so every implementation (this
 * file's `MedicalState` in memory, node/sqlite-medical-state.ts on disk) derives the same state and
 * passes the same conformance suite (medical-state-conformance.ts). `admissible` gives the rules that
 * need this history (an amendment's target exists and belongs to the same patient, a revocation names
 * an active grant, an erasure approves an open request).
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
  readonly amendedBy: readonly string[];
  readonly erasedBy?: string;
}

export interface ConsentEntry extends ConsentGrant {
  readonly tx: string;
  readonly height: number;
  readonly grantedAt: number;
  readonly revokedBy?: string;
}

export interface AccessEntry extends AccessLogPayload {
  /** Log position of the transaction that carries the event (the cursor of a page of events). */
  readonly seq: number;
  readonly tx: string;
  readonly height: number;
  readonly time: number;
}

export interface ErasureRequestEntry extends ErasureRequestPayload {
  readonly tx: string;
  readonly signer: string;
  readonly time: number;
  readonly approvedBy?: string;
}

/** Entries by id: a Map in memory, indexed tables on disk. */
export interface Lookup<T> {
  get(id: string): T | undefined;
  has(id: string): boolean;
  /** How many entries there are (a count on disk: not for hot paths). */
  readonly size: number;
  /** Every entry in chain order, read as the caller iterates. */
  values(): Iterable<T>;
}

/** A page of a list in chain order: the entries after the one with id `after`, at most `limit`. */
export interface Page {
  readonly after?: string;
  readonly limit?: number;
}

export interface MedicalStateView {
  /** Height of the last block applied, −1 before any. */
  readonly height: number;
  /** Consent grants applied so far: a record sealed at the current epoch saw every committed grant. */
  readonly consentEpoch: number;
  readonly records: Lookup<RecordEntry>;
  readonly consents: Lookup<ConsentEntry>;
  readonly erasureRequests: Lookup<ErasureRequestEntry>;
  /** Original records (not amendments) of a patient, in chain order, one page (default: all). */
  recordsOf(patient: string, page?: Page): RecordEntry[];
  /** How many original records a patient has. */
  countRecordsOf(patient: string): number;
  consentsOf(patient: string): ConsentEntry[];
  /** Blind ids of the patients with records, each once. */
  patients(): Iterable<string>;
  /** Original, unerased records that are Patient resources (see `PatientRecordTest`), in chain order. */
  patientRecords(): Iterable<RecordEntry>;
}

export interface MedicalStateStore extends MedicalStateView {
  /** Applies a committed block's transactions; `seqs[i]` is the log position of `txs[i]`. */
  apply(txs: readonly Tx[], height: number, seqs: readonly number[]): void;
}

/**
 * Whether record `id` of `patient` is a Patient resource: its record id is the FHIR Patient id whose
 * blind id it carries (the node knows the blinding key; the state does not).
 */
export type PatientRecordTest = (id: string, patient: string) => boolean;

/** The primitive changes a block makes, which each implementation carries out in its own storage. */
export interface MedicalStateChanges {
  addRecord(entry: RecordEntry, seq: number): void;
  /** Appends `amendment` to the amendments of `original` (which exists). */
  noteAmendment(original: string, amendment: string): void;
  addConsent(entry: ConsentEntry, seq: number): void;
  revokeConsent(id: string, by: string, at: number): void;
  addErasureRequest(entry: ErasureRequestEntry, seq: number): void;
  approveErasure(request: string, by: string): void;
  eraseRecord(id: string, by: string): void;
  setHeight(height: number): void;
}

/** How a committed block changes the medical state: the one definition every implementation applies. */
export function applyMedicalTxs(
  view: MedicalStateView,
  changes: MedicalStateChanges,
  txs: readonly Tx[],
  height: number,
  seqs: readonly number[],
): void {
  txs.forEach((tx, i) => {
    applyTx(view, changes, tx, height, seqs[i]!);
  });
  changes.setHeight(height);
}

function applyTx(
  view: MedicalStateView,
  changes: MedicalStateChanges,
  tx: Tx,
  height: number,
  seq: number,
): void {
  const { type, payload, signer, time } = tx.body;
  switch (type) {
    case 'record.add':
    case 'record.amend': {
      const r = parseRecord(payload, type === 'record.amend');
      if (typeof r === 'string' || view.records.has(r.record)) return;
      changes.addRecord(
        {
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
        },
        seq,
      );
      if (r.amends !== undefined && view.records.has(r.amends)) changes.noteAmendment(r.amends, r.record);
      return;
    }
    case 'consent.grant': {
      const g = parseConsentGrant(payload);
      if (typeof g === 'string') return;
      changes.addConsent({ ...g, id: tx.id, tx: tx.id, height, grantedAt: time }, seq);
      return;
    }
    case 'consent.revoke': {
      const r = parseConsentRevoke(payload);
      const c = typeof r === 'string' ? undefined : view.consents.get(r.consent);
      if (c && !c.revokedBy) changes.revokeConsent(c.id, tx.id, time);
      return;
    }
    case 'erasure.request': {
      const r = parseErasureRequest(payload);
      if (typeof r !== 'string') changes.addErasureRequest({ ...r, tx: tx.id, signer, time }, seq);
      return;
    }
    case 'record.erase': {
      const r = parseRecordErase(payload);
      if (typeof r === 'string') return;
      if (view.erasureRequests.has(r.request)) changes.approveErasure(r.request, tx.id);
      for (const id of r.records) {
        const rec = view.records.get(id);
        if (rec && !rec.erasedBy) changes.eraseRecord(id, tx.id);
      }
      return;
    }
    default:
      return;
  }
}

/** The reason `tx` cannot be admitted given the committed history in `view`, or undefined. */
export function admissible(view: MedicalStateView, tx: Tx): string | undefined {
  const p = tx.body.payload;
  switch (tx.body.type) {
    case 'record.add': {
      const r = parseRecord(p, false);
      if (typeof r === 'string') return r;
      return view.records.has(r.record) ? `record ${r.record} exists` : undefined;
    }
    case 'record.amend': {
      const r = parseRecord(p, true);
      if (typeof r === 'string') return r;
      if (view.records.has(r.record)) return `record ${r.record} exists`;
      const target = view.records.get(r.amends ?? '');
      if (!target || target.amends !== undefined)
        return `amended record ${String(r.amends)} is not an original record`;
      if (target.erasedBy) return `record ${target.id} was erased`;
      return target.patient === r.patient ? undefined : 'an amendment keeps the patient of the original';
    }
    case 'consent.revoke': {
      const r = parseConsentRevoke(p);
      if (typeof r === 'string') return r;
      const c = view.consents.get(r.consent);
      if (!c) return `no consent ${r.consent}`;
      if (c.revokedBy) return `consent ${r.consent} is already revoked`;
      return undefined; // the signer is checked against the grant's patient by the node
    }
    case 'record.erase': {
      const r = parseRecordErase(p);
      if (typeof r === 'string') return r;
      const req = view.erasureRequests.get(r.request);
      if (!req) return `no erasure request ${r.request}`;
      if (req.approvedBy) return `erasure request ${r.request} was already carried out`;
      for (const id of r.records) {
        const rec = view.records.get(id);
        if (rec?.patient !== req.patient) return `record ${id} is not a record of the requesting patient`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The medical state in memory: the reference implementation, and what tests replay into. */
export class MedicalState implements MedicalStateStore {
  readonly records = new Map<string, Mutable<RecordEntry> & { amendedBy: string[] }>();
  readonly consents = new Map<string, Mutable<ConsentEntry>>();
  readonly erasureRequests = new Map<string, Mutable<ErasureRequestEntry>>();
  consentEpoch = 0;
  height = -1;
  readonly #byPatient = new Map<string, string[]>();
  /** Position of each original record in its patient's list (for pages). */
  readonly #position = new Map<string, number>();
  readonly #consentsByPatient = new Map<string, string[]>();
  readonly #isPatientRecord: PatientRecordTest;

  constructor(isPatientRecord: PatientRecordTest = () => false) {
    this.#isPatientRecord = isPatientRecord;
  }

  recordsOf(patient: string, page: Page = {}): RecordEntry[] {
    const ids = this.#byPatient.get(patient) ?? [];
    const start = page.after === undefined ? 0 : this.#startAfter(ids, page.after);
    const end = page.limit === undefined ? ids.length : Math.min(ids.length, start + page.limit);
    return ids.slice(start, end).map((id) => this.records.get(id)!);
  }

  #startAfter(ids: readonly string[], after: string): number {
    const at = this.#position.get(after);
    return at !== undefined && ids[at] === after ? at + 1 : ids.length;
  }

  countRecordsOf(patient: string): number {
    return this.#byPatient.get(patient)?.length ?? 0;
  }

  consentsOf(patient: string): ConsentEntry[] {
    return (this.#consentsByPatient.get(patient) ?? []).map((id) => this.consents.get(id)!);
  }

  patients(): string[] {
    return [...this.#byPatient.keys()];
  }

  *patientRecords(): Generator<RecordEntry> {
    for (const r of this.records.values())
      if (
        r.amends === undefined &&
        !r.erasedBy &&
        r.patient !== undefined &&
        this.#isPatientRecord(r.id, r.patient)
      )
        yield r;
  }

  apply(txs: readonly Tx[], height: number, seqs: readonly number[] = []): void {
    applyMedicalTxs(this, this.#changes, txs, height, seqs);
  }

  readonly #changes: MedicalStateChanges = {
    addRecord: (e) => {
      this.records.set(e.id, { ...e, amendedBy: [...e.amendedBy] });
      if (e.amends === undefined && e.patient !== undefined) {
        const list = push(this.#byPatient, e.patient, e.id);
        this.#position.set(e.id, list.length - 1);
      }
    },
    noteAmendment: (original, amendment) => {
      this.records.get(original)?.amendedBy.push(amendment);
    },
    addConsent: (e) => {
      this.consents.set(e.id, { ...e });
      this.consentEpoch++;
      push(this.#consentsByPatient, e.patient, e.id);
    },
    revokeConsent: (id, by, at) => {
      const c = this.consents.get(id);
      if (c) {
        c.revokedBy = by;
        c.revokedAt = at;
      }
    },
    addErasureRequest: (e) => {
      this.erasureRequests.set(e.tx, { ...e });
    },
    approveErasure: (request, by) => {
      const r = this.erasureRequests.get(request);
      if (r) r.approvedBy = by;
    },
    eraseRecord: (id, by) => {
      const r = this.records.get(id);
      if (r) r.erasedBy = by;
    },
    setHeight: (height) => {
      this.height = height;
    },
  };
}

function push<T>(m: Map<string, T[]>, k: string, v: T): T[] {
  const list = m.get(k);
  if (list) {
    list.push(v);
    return list;
  }
  const created = [v];
  m.set(k, created);
  return created;
}
