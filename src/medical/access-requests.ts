/**
 * @module
 * Access requests: a doctor without consent asks a patient for access (purpose and reason); the
 * patient sees the request and approves it — which grants a consent to that doctor on the chain —
 * or declines it. Requests are a node-local mailbox in the vault (they carry no PHI: the patient is
 * named by blind id, the reason is the doctor's own text, shown only to that patient); the decision
 * that matters, the consent, is a transaction like any other.
 */
import { randomBytes } from 'node:crypto';
import type { Purpose } from '../core/consent.ts';
import { ArgumentValueError, NotFoundError } from '../core/errors.ts';
import type { SqliteVault } from './sqlite-vault.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS access_requests (
  id        TEXT PRIMARY KEY,
  requester TEXT NOT NULL,
  patient   TEXT NOT NULL,
  subject   TEXT NOT NULL,
  purpose   TEXT NOT NULL,
  reason    TEXT NOT NULL,
  created   INTEGER NOT NULL,
  status    TEXT NOT NULL,
  decided   INTEGER,
  consent   TEXT
);
CREATE INDEX IF NOT EXISTS access_requests_patient ON access_requests (patient, created);
CREATE INDEX IF NOT EXISTS access_requests_requester ON access_requests (requester, created);
`;

export type RequestStatus = 'pending' | 'approved' | 'declined';

export interface AccessRequest {
  readonly id: string;
  /** Key id of the requesting doctor. */
  readonly requester: string;
  /** Blind id of the patient. */
  readonly patient: string;
  /** The FHIR Patient id the doctor asked about (shown to that doctor). */
  readonly subject: string;
  readonly purpose: Purpose;
  readonly reason: string;
  readonly created: number;
  readonly status: RequestStatus;
  readonly decided?: number;
  /** The consent transaction that approved it. */
  readonly consent?: string;
}

interface Row {
  id: string;
  requester: string;
  patient: string;
  subject: string;
  purpose: string;
  reason: string;
  created: number;
  status: string;
  decided: number | null;
  consent: string | null;
}

const view = (r: Row): AccessRequest => ({
  id: r.id,
  requester: r.requester,
  patient: r.patient,
  subject: r.subject,
  purpose: r.purpose as Purpose,
  reason: r.reason,
  created: r.created,
  status: r.status as RequestStatus,
  ...(r.decided === null ? {} : { decided: r.decided }),
  ...(r.consent === null ? {} : { consent: r.consent }),
});

export class AccessRequests {
  readonly #vault: SqliteVault;

  constructor(vault: SqliteVault) {
    this.#vault = vault;
    vault.db.exec(SCHEMA);
  }

  create(r: {
    requester: string;
    patient: string;
    subject: string;
    purpose: Purpose;
    reason: string;
    now: number;
  }): AccessRequest {
    const reason = r.reason.trim();
    if (reason.length < 3 || reason.length > 500)
      throw new ArgumentValueError('reason', 'must be 3..500 characters');
    const open = this.#vault.db
      .prepare("SELECT id FROM access_requests WHERE requester = ? AND patient = ? AND status = 'pending'")
      .get(r.requester, r.patient);
    if (open) throw new ArgumentValueError('patient', 'you already have a pending request for this patient');
    const id = randomBytes(12).toString('hex');
    this.#vault.db
      .prepare(
        `INSERT INTO access_requests (id, requester, patient, subject, purpose, reason, created, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(id, r.requester, r.patient, r.subject, r.purpose, reason, r.now);
    this.#vault.sync();
    return this.get(id)!;
  }

  get(id: string): AccessRequest | undefined {
    const row = this.#vault.db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as
      Row | undefined;
    return row ? view(row) : undefined;
  }

  /** Requests made to a patient (blind id), newest first. */
  forPatient(patient: string): AccessRequest[] {
    return (
      this.#vault.db
        .prepare('SELECT * FROM access_requests WHERE patient = ? ORDER BY created DESC')
        .all(patient) as unknown as Row[]
    ).map(view);
  }

  /** Requests a doctor made, newest first. */
  byRequester(keyId: string): AccessRequest[] {
    return (
      this.#vault.db
        .prepare('SELECT * FROM access_requests WHERE requester = ? ORDER BY created DESC')
        .all(keyId) as unknown as Row[]
    ).map(view);
  }

  /** A pending request made to `patient` (blind id); NotFound for anyone else's, ArgumentValue once decided. */
  pending(id: string, patient: string | undefined): AccessRequest {
    const r = this.get(id);
    if (!r || r.patient !== patient) throw new NotFoundError('access request', id);
    if (r.status !== 'pending') throw new ArgumentValueError('id', `the request is already ${r.status}`);
    return r;
  }

  /** Records the patient's decision on a pending request of theirs. */
  decide(
    id: string,
    patient: string,
    status: 'approved' | 'declined',
    now: number,
    consent?: string,
  ): AccessRequest {
    this.pending(id, patient);
    this.#vault.db
      .prepare('UPDATE access_requests SET status = ?, decided = ?, consent = ? WHERE id = ?')
      .run(status, now, consent ?? null, id);
    this.#vault.sync();
    return this.get(id)!;
  }
}
