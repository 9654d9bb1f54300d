/**
 * @module
 * Patient logins an admin asked for and a second admin has not approved yet. Binding a login to a
 * patient gives it the patient's records, so one admin's word is not enough: the account exists, but
 * its identity reaches the chain only when another admin of the organization approves, as an
 * `identity.register` signed by the approver that names the admin who asked (`requestedBy`). Rows hold
 * the register payload (public keys, organization, the patient's blind id): no plaintext PHI.
 */
import { NotFoundError } from '../core/errors.ts';
import type { RegisterPayload } from '../state-machine/payloads.ts';
import type { SqliteVault } from './sqlite-vault.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS patient_bindings (
  key_id       TEXT PRIMARY KEY,
  requested_by TEXT NOT NULL,
  org          TEXT NOT NULL,
  patient      TEXT NOT NULL,
  payload      TEXT NOT NULL,
  created      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS patient_bindings_patient ON patient_bindings (patient);
`;

export interface PendingBinding {
  /** The new login's key id. */
  readonly keyId: string;
  /** The admin who asked for it. */
  readonly requestedBy: string;
  readonly org: string;
  /** The `identity.register` payload to submit once approved (without `requestedBy`). */
  readonly payload: RegisterPayload & { readonly patient: string };
  readonly created: number;
}

interface Row {
  key_id: string;
  requested_by: string;
  org: string;
  payload: string;
  created: number;
}

const view = (r: Row): PendingBinding => ({
  keyId: r.key_id,
  requestedBy: r.requested_by,
  org: r.org,
  payload: JSON.parse(r.payload) as PendingBinding['payload'],
  created: r.created,
});

export class PatientBindings {
  readonly #vault: SqliteVault;

  constructor(vault: SqliteVault) {
    this.#vault = vault;
    vault.db.exec(SCHEMA);
  }

  add(b: PendingBinding): void {
    this.#vault.db
      .prepare(
        'INSERT INTO patient_bindings (key_id, requested_by, org, patient, payload, created) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(b.keyId, b.requestedBy, b.org, b.payload.patient, JSON.stringify(b.payload), b.created);
    this.#vault.sync();
  }

  /** The pending binding of login `keyId` in organization `org`; NotFound for anyone else's. */
  get(keyId: string, org: string | undefined): PendingBinding {
    const r = this.#vault.db.prepare('SELECT * FROM patient_bindings WHERE key_id = ?').get(keyId) as
      Row | undefined;
    if (!r || r.org !== org) throw new NotFoundError('pending binding', keyId);
    return view(r);
  }

  /** Whether a binding to this patient (blind id) waits for approval. */
  pendingFor(patient: string): boolean {
    return (
      this.#vault.db.prepare('SELECT 1 FROM patient_bindings WHERE patient = ?').get(patient) !== undefined
    );
  }

  /** The bindings of an organization waiting for approval, oldest first. */
  ofOrg(org: string | undefined): PendingBinding[] {
    return (
      this.#vault.db
        .prepare('SELECT * FROM patient_bindings WHERE org IS ? ORDER BY created, key_id')
        .all(org ?? null) as unknown as Row[]
    ).map(view);
  }

  remove(keyId: string): void {
    this.#vault.db.prepare('DELETE FROM patient_bindings WHERE key_id = ?').run(keyId);
    this.#vault.sync();
  }
}
