/**
 * @module
 * The medical state on disk: records, per-patient lists, consents and erasure requests as tables of
 * the ledger's own database, so that memory does not grow with the chain and a restart reads nothing
 * back. Tables change inside the store transaction of each block (ChainNode.onAppend), so chain and state
 * commit together; `catchUp` builds them from the chain for a data directory that has none (or stops
 * short of the head), in resumable steps. How a block changes the state is defined once, in
 * state-machine/medical-state.ts; this file only stores it. Hex ids are stored as their bytes.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Tx } from '../core/tx.ts';
import { decodeTx } from '../core/tx.ts';
import type {
  ConsentEntry,
  ErasureRequestEntry,
  Lookup,
  MedicalStateChanges,
  MedicalStateStore,
  Page,
  PatientRecordTest,
  RecordEntry,
} from '../state-machine/medical-state.ts';
import { applyMedicalTxs, MEDICAL_TX_TYPES } from '../state-machine/medical-state.ts';
import type { ConsentGrantPayload } from '../state-machine/payloads.ts';
import { bytes, canonicalRow, consentOf, hex, recordOf, requestOf } from './state-rows.ts';
import type { ConsentRow, RecordRow, RequestRow } from './state-rows.ts';
import type { SqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_records (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, patient BLOB, org TEXT NOT NULL,
  author TEXT NOT NULL, blob BLOB NOT NULL, size INTEGER NOT NULL, tx BLOB NOT NULL,
  height INTEGER NOT NULL, time INTEGER NOT NULL, amends TEXT, amended_by TEXT, erased_by BLOB,
  is_patient INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS state_records_patient ON state_records (patient, seq) WHERE amends IS NULL;
CREATE INDEX IF NOT EXISTS state_records_patients ON state_records (seq) WHERE is_patient = 1;
CREATE TABLE IF NOT EXISTS state_consents (
  seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, patient BLOB NOT NULL, grant_json TEXT NOT NULL,
  height INTEGER NOT NULL, granted_at INTEGER NOT NULL, revoked_by BLOB, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS state_consents_patient ON state_consents (patient, seq);
CREATE TABLE IF NOT EXISTS state_erasure_requests (
  seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, patient BLOB NOT NULL, records TEXT,
  signer TEXT NOT NULL, time INTEGER NOT NULL, approved_by BLOB);
`;
const TABLES = ['state_records', 'state_consents', 'state_erasure_requests'] as const;
/** Meta keys: the height up to which the tables hold the state, and the consent epoch there. */
const HEIGHT_KEY = 'state_height';
const EPOCH_KEY = 'state_consent_epoch';
/** Blocks per transaction while building the state from the chain (each step is kept on a crash). */
const CATCH_UP_BLOCKS = 2000;
/** Rows per read when iterating a whole table. */
const PAGE = 1000;

const RECORD_COLUMNS =
  'id, patient, org, author, blob, size, tx, height, time, amends, amended_by, erased_by';

function statements(db: DatabaseSync): Record<string, StatementSync> {
  const p = (sql: string): StatementSync => db.prepare(sql);
  return {
    record: p(`SELECT ${RECORD_COLUMNS} FROM state_records WHERE id = ?`),
    hasRecord: p('SELECT 1 FROM state_records WHERE id = ?'),
    allRecords: p(`SELECT seq, ${RECORD_COLUMNS} FROM state_records WHERE seq > ? ORDER BY seq LIMIT ?`),
    ofPatient: p(
      `SELECT ${RECORD_COLUMNS} FROM state_records WHERE patient = ? AND amends IS NULL AND seq > ?
       ORDER BY seq LIMIT ?`,
    ),
    seqOf: p('SELECT seq FROM state_records WHERE id = ?'),
    countOf: p('SELECT count(*) AS n FROM state_records WHERE patient = ? AND amends IS NULL'),
    patients: p(
      `SELECT DISTINCT patient FROM state_records WHERE amends IS NULL AND patient > ? ORDER BY patient LIMIT ?`,
    ),
    patientRecords: p(
      `SELECT seq, ${RECORD_COLUMNS} FROM state_records WHERE is_patient = 1 AND seq > ? AND erased_by IS NULL
       ORDER BY seq LIMIT ?`,
    ),
    addRecord: p(
      `INSERT INTO state_records (seq, ${RECORD_COLUMNS}, is_patient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    amendedBy: p('SELECT amended_by FROM state_records WHERE id = ?'),
    setAmendedBy: p('UPDATE state_records SET amended_by = ? WHERE id = ?'),
    erase: p('UPDATE state_records SET erased_by = ? WHERE id = ?'),
    consent: p('SELECT * FROM state_consents WHERE id = ?'),
    hasConsent: p('SELECT 1 FROM state_consents WHERE id = ?'),
    allConsents: p('SELECT * FROM state_consents WHERE seq > ? ORDER BY seq LIMIT ?'),
    consentsOf: p('SELECT * FROM state_consents WHERE patient = ? ORDER BY seq'),
    addConsent: p(
      `INSERT INTO state_consents (seq, id, patient, grant_json, height, granted_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    revoke: p('UPDATE state_consents SET revoked_by = ?, revoked_at = ? WHERE id = ?'),
    request: p('SELECT * FROM state_erasure_requests WHERE id = ?'),
    hasRequest: p('SELECT 1 FROM state_erasure_requests WHERE id = ?'),
    allRequests: p('SELECT * FROM state_erasure_requests WHERE seq > ? ORDER BY seq LIMIT ?'),
    addRequest: p(
      `INSERT INTO state_erasure_requests (seq, id, patient, records, signer, time) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    approve: p('UPDATE state_erasure_requests SET approved_by = ? WHERE id = ?'),
  };
}

export interface SqliteMedicalStateOptions {
  /** Tells Patient records (default: none is). */
  readonly isPatientRecord?: PatientRecordTest;
  /** The chain `catchUp` reads (default: the store holding the tables; another for a replay elsewhere). */
  readonly chain?: Store;
  /** Rows per read when iterating a whole table. */
  readonly pageRows?: number;
}

export class SqliteMedicalState implements MedicalStateStore {
  readonly #store: SqliteStore;
  readonly #chain: Store;
  readonly #db: DatabaseSync;
  readonly #isPatientRecord: PatientRecordTest;
  readonly #page: number;
  #s: Record<string, StatementSync> | undefined;

  /** Creates nothing until first used (`medledger verify` reads a data directory without changing it). */
  constructor(store: SqliteStore, opts: SqliteMedicalStateOptions = {}) {
    this.#store = store;
    this.#chain = opts.chain ?? store;
    this.#db = store.database;
    this.#isPatientRecord = opts.isPatientRecord ?? (() => false);
    this.#page = opts.pageRows ?? PAGE;
  }

  get #q(): Record<string, StatementSync> {
    return this.#ensure();
  }

  #ensure(): Record<string, StatementSync> {
    if (this.#s) return this.#s;
    this.#db.exec(SCHEMA);
    this.#s = statements(this.#db);
    return this.#s;
  }

  /** Whether the tables exist (a data directory written before them has none until the node opens it). */
  exists(): boolean {
    return this.#s !== undefined || this.#store.hasTable('state_records');
  }

  get height(): number {
    return Number(this.#store.getMeta(HEIGHT_KEY) ?? -1);
  }

  get consentEpoch(): number {
    return Number(this.#store.getMeta(EPOCH_KEY) ?? 0);
  }

  readonly records: Lookup<RecordEntry> = lookup({
    get: (id) => recordOf(this.#q.record!.get(id) as RecordRow | undefined),
    has: (id) => this.#q.hasRecord!.get(id) !== undefined,
    count: () => this.#count('state_records'),
    values: () => pages(this.#q.allRecords!, this.#page, (r) => recordOf(r as RecordRow)!),
  });

  readonly consents: Lookup<ConsentEntry> = lookup({
    get: (id) => consentOf(this.#q.consent!.get(bytes(id)) as ConsentRow | undefined),
    has: (id) => this.#q.hasConsent!.get(bytes(id)) !== undefined,
    count: () => this.#count('state_consents'),
    values: () => pages(this.#q.allConsents!, this.#page, (r) => consentOf(r as ConsentRow)!),
  });

  readonly erasureRequests: Lookup<ErasureRequestEntry> = lookup({
    get: (id) => requestOf(this.#q.request!.get(bytes(id)) as RequestRow | undefined),
    has: (id) => this.#q.hasRequest!.get(bytes(id)) !== undefined,
    count: () => this.#count('state_erasure_requests'),
    values: () => pages(this.#q.allRequests!, this.#page, (r) => requestOf(r as RequestRow)!),
  });

  #count(table: (typeof TABLES)[number]): number {
    this.#ensure();
    return (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  recordsOf(patient: string, page: Page = {}): RecordEntry[] {
    let after = -1;
    if (page.after !== undefined) {
      const at = this.#q.seqOf!.get(page.after) as { seq: number } | undefined;
      if (!at) return [];
      after = at.seq;
    }
    const rows = this.#q.ofPatient!.all(bytes(patient), after, page.limit ?? -1) as unknown as RecordRow[];
    return rows.map((r) => recordOf(r)!);
  }

  /** Records (originals and amendments) after log position `afterSeq`, at most `limit`, in chain order. */
  recordsAfter(afterSeq: number, limit: number): { seq: number; entry: RecordEntry }[] {
    const rows = this.#q.allRecords!.all(afterSeq, limit) as unknown as (RecordRow & { seq: number })[];
    return rows.map((r) => ({ seq: r.seq, entry: recordOf(r)! }));
  }

  countRecordsOf(patient: string): number {
    return (this.#q.countOf!.get(bytes(patient)) as { n: number }).n;
  }

  consentsOf(patient: string): ConsentEntry[] {
    return (this.#q.consentsOf!.all(bytes(patient)) as unknown as ConsentRow[]).map((r) => consentOf(r)!);
  }

  *patients(): Generator<string> {
    let after: Uint8Array = new Uint8Array(0);
    for (;;) {
      const rows = this.#q.patients!.all(after, this.#page) as unknown as { patient: Uint8Array }[];
      for (const r of rows) yield hex(r.patient);
      if (rows.length < this.#page) return;
      after = rows.at(-1)!.patient;
    }
  }

  patientRecords(): Iterable<RecordEntry> {
    return pages(this.#q.patientRecords!, this.#page, (r) => recordOf(r as RecordRow)!);
  }

  /** Applies a committed block; runs inside the block's store transaction (ChainNode.onAppend). */
  apply(txs: readonly Tx[], height: number, seqs: readonly number[]): void {
    if (this.height < height - 1) this.#fill(height - 1);
    applyMedicalTxs(this, this.#changes, txs, height, seqs);
  }

  /**
   * Builds the tables from the chain up to the stored head, `CATCH_UP_BLOCKS` blocks per transaction
   * (a data directory from before them, or one a crash left behind: each step is kept); `progress`
   * hears the height reached after each step.
   */
  catchUp(progress?: (height: number, head: number) => void): void {
    const head = this.#chain.head()?.height ?? -1;
    this.#ensure(); // the tables exist from now on
    while (this.height < head) {
      const to = Math.min(head, this.height + CATCH_UP_BLOCKS);
      this.#store.inTransaction(() => {
        this.#fill(to);
      });
      progress?.(to, head);
    }
  }

  /** Applies the medical transactions of blocks above the tables' height up to `to` (inside a transaction). */
  #fill(to: number): void {
    const from = this.height;
    const firstSeq = this.#chain.blockByHeight(from + 1)?.firstSeq ?? Number.MAX_SAFE_INTEGER;
    let batch: { txs: Tx[]; seqs: number[]; height: number } | undefined;
    const flush = (): void => {
      if (batch) applyMedicalTxs(this, this.#changes, batch.txs, batch.height, batch.seqs);
      batch = undefined;
    };
    for (const t of this.#chain.txsOfTypes(MEDICAL_TX_TYPES, firstSeq)) {
      if (t.height > to) break;
      if (t.height <= from) continue;
      if (batch && batch.height !== t.height) flush();
      batch ??= { txs: [], seqs: [], height: t.height };
      batch.txs.push(decodeTx({ body: t.body, sig: t.sig }));
      batch.seqs.push(t.seq);
    }
    flush();
    this.#store.setMeta(HEIGHT_KEY, String(to));
  }

  readonly #changes: MedicalStateChanges = {
    addRecord: (e, seq) => {
      this.#q.addRecord!.run(
        seq,
        e.id,
        e.patient === undefined ? null : bytes(e.patient),
        e.org,
        e.author,
        bytes(e.blob),
        e.size,
        bytes(e.tx),
        e.height,
        e.time,
        e.amends ?? null,
        null,
        null,
        e.amends === undefined && e.patient !== undefined && this.#isPatientRecord(e.id, e.patient) ? 1 : 0,
      );
    },
    noteAmendment: (original, amendment) => {
      const row = this.#q.amendedBy!.get(original) as { amended_by: string | null };
      const list = row.amended_by === null ? [] : (JSON.parse(row.amended_by) as string[]);
      this.#q.setAmendedBy!.run(JSON.stringify([...list, amendment]), original);
    },
    addConsent: (e, seq) => {
      const grant: ConsentGrantPayload = {
        patient: e.patient,
        grantee: e.grantee,
        scope: e.scope,
        purpose: e.purpose,
        validFrom: e.validFrom,
        validTo: e.validTo,
      };
      this.#q.addConsent!.run(
        seq,
        bytes(e.id),
        bytes(e.patient),
        JSON.stringify(grant),
        e.height,
        e.grantedAt,
      );
      this.#store.setMeta(EPOCH_KEY, String(this.consentEpoch + 1));
    },
    revokeConsent: (id, by, at) => {
      this.#q.revoke!.run(bytes(by), at, bytes(id));
    },
    addErasureRequest: (e, seq) => {
      this.#q.addRequest!.run(
        seq,
        bytes(e.tx),
        bytes(e.patient),
        e.records === null ? null : JSON.stringify(e.records),
        e.signer,
        e.time,
      );
    },
    approveErasure: (request, by) => {
      this.#q.approve!.run(bytes(by), bytes(request));
    },
    eraseRecord: (id, by) => {
      this.#q.erase!.run(bytes(by), id);
    },
    setHeight: (height) => {
      this.#store.setMeta(HEIGHT_KEY, String(height));
    },
  };

  /** Every table's rows in a canonical form, table by table in chain order (for comparisons). */
  *rows(): Generator<{ table: (typeof TABLES)[number]; seq: number; row: string }> {
    for (const table of TABLES)
      for (const r of this.#db.prepare(`SELECT * FROM ${table} ORDER BY seq`).iterate()) {
        const row = r as Record<string, unknown>;
        yield { table, seq: Number(row.seq), row: canonicalRow(row) };
      }
  }
}

/** Where two states first differ (`stored` against `replayed`), or undefined when they are equal. */
export function stateDifference(
  stored: SqliteMedicalState,
  replayed: SqliteMedicalState,
): { readonly seq: number; readonly detail: string } | undefined {
  if (stored.height !== replayed.height)
    return {
      seq: -1,
      detail: `the state tables stand at height ${String(stored.height)}, the chain at ${String(replayed.height)}`,
    };
  if (stored.consentEpoch !== replayed.consentEpoch)
    return { seq: -1, detail: 'the consent epoch differs from the number of consent grants on chain' };
  const a = stored.rows();
  const b = replayed.rows();
  try {
    for (;;) {
      const x = a.next();
      const y = b.next();
      if (x.done === true) {
        if (y.done === true) return undefined;
        return { seq: y.value.seq, detail: `${y.value.table}: a row of the chain is missing` };
      }
      if (y.done === true)
        return { seq: x.value.seq, detail: `${x.value.table}: a row the chain does not give` };
      if (x.value.table !== y.value.table || x.value.seq !== y.value.seq) {
        const first = x.value.table === y.value.table && x.value.seq > y.value.seq ? y.value : x.value;
        return { seq: first.seq, detail: `${first.table}: rows differ from the chain's from here` };
      }
      if (x.value.row !== y.value.row)
        return { seq: x.value.seq, detail: `${x.value.table}: the row differs from the chain's` };
    }
  } finally {
    a.return(undefined);
    b.return(undefined);
  }
}

function lookup<T>(impl: {
  get: (id: string) => T | undefined;
  has: (id: string) => boolean;
  count: () => number;
  values: () => Iterable<T>;
}): Lookup<T> {
  return {
    get: impl.get,
    has: impl.has,
    get size() {
      return impl.count();
    },
    values: impl.values,
  };
}

/** Rows read a page at a time by log position: no statement stays open while the caller iterates. */
function* pages<T>(query: StatementSync, size: number, f: (row: unknown) => T): Generator<T> {
  let after = -1;
  for (;;) {
    const rows = query.all(after, size) as unknown as { seq: number }[];
    for (const r of rows) yield f(r);
    if (rows.length < size) return;
    after = rows.at(-1)!.seq;
  }
}
