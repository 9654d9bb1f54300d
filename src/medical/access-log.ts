/**
 * @module
 * The access log on disk. Access events are most of a hospital's chain (every audited read is one),
 * so they are not kept in memory: a table in the ledger's database lists, for each transaction that
 * carries an event, its log position and its patient, and reads join it with the stored transactions
 * and derive the events again (ledger/access-events.ts). The table is written inside the store
 * transaction of each block (ChainNode.onAppend), so it commits with the chain or not at all; it is
 * built from the chain for a data directory that has none yet, and `check` compares it with the chain.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Tx } from '../core/tx.ts';
import { ACCESS_EVENT_TX_TYPES, accessEventOf } from '../state-machine/access-events.ts';
import type { AccessEntry } from '../state-machine/medical-state.ts';
import type { AccessLogPayload } from '../state-machine/payloads.ts';
import type { SqliteStore } from '../store/sqlite-store.ts';
import type { StoredTx } from '../store/store.ts';
import type { VaultProblem } from './vault-check.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS access_events (seq INTEGER PRIMARY KEY, patient BLOB);
CREATE INDEX IF NOT EXISTS access_events_patient ON access_events (patient, seq);
`;
/** Meta key: the height up to which the table holds every event. */
const HEIGHT_KEY = 'access_events_height';

/**
 * A page of events: oldest first, those after log position `after`; or, with `newestFirst`, those
 * before log position `before`; at most `limit`.
 */
export interface EventPage {
  readonly after?: number;
  readonly before?: number;
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

interface JoinedRow {
  seq: number;
  id: string;
  height: number;
  type: string;
  body: string;
}

/** A difference between the stored access log and the one the chain gives. */
export interface AccessLogMismatch {
  /** Log position of the first transaction where they differ. */
  readonly seq: number;
  readonly detail: string;
}

interface Statements {
  readonly insert: StatementSync;
  readonly ofPatient: StatementSync;
  readonly ofPatientDesc: StatementSync;
  readonly allDesc: StatementSync;
  readonly count: StatementSync;
  readonly countOf: StatementSync;
  readonly has: StatementSync;
  readonly all: StatementSync;
  readonly stored: StatementSync;
}

export class AccessLog {
  readonly #store: SqliteStore;
  readonly #db: DatabaseSync;
  #statements: Statements | undefined;

  /** Creates nothing until first used (`medledger verify` opens a node's data without changing it). */
  constructor(store: SqliteStore) {
    this.#store = store;
    this.#db = store.database;
  }

  #ensure(): Statements {
    if (this.#statements) return this.#statements;
    this.#db.exec(SCHEMA);
    const join = `SELECT t.seq, lower(hex(t.id)) AS id, t.height, t.type, t.body
      FROM access_events a JOIN txs t ON t.seq = a.seq`;
    this.#statements = {
      insert: this.#db.prepare('INSERT OR REPLACE INTO access_events (seq, patient) VALUES (?, ?)'),
      ofPatient: this.#db.prepare(`${join} WHERE a.patient = ? AND a.seq > ? ORDER BY a.seq LIMIT ?`),
      ofPatientDesc: this.#db.prepare(
        `${join} WHERE a.patient = ? AND a.seq < ? ORDER BY a.seq DESC LIMIT ?`,
      ),
      allDesc: this.#db.prepare(`${join} WHERE a.seq < ? ORDER BY a.seq DESC LIMIT ?`),
      count: this.#db.prepare('SELECT count(*) AS n FROM access_events'),
      countOf: this.#db.prepare('SELECT count(*) AS n FROM access_events WHERE patient = ?'),
      has: this.#db.prepare('SELECT 1 FROM access_events WHERE seq = ?'),
      all: this.#db.prepare(`${join} WHERE a.seq > ? ORDER BY a.seq LIMIT ?`),
      stored: this.#db.prepare('SELECT seq, lower(hex(patient)) AS patient FROM access_events ORDER BY seq'),
    };
    return this.#statements;
  }

  /** Whether the table exists (a data directory written before it has none until the node opens it). */
  exists(): boolean {
    return this.#statements !== undefined || this.#store.hasTable('access_events');
  }

  /** The height up to which every event is in the table (-1: none yet). */
  get height(): number {
    return Number(this.#store.getMeta(HEIGHT_KEY) ?? -1);
  }

  /**
   * Adds a committed block's events. Runs inside the block's store transaction (ChainNode.onAppend);
   * blocks the table missed (committed before it existed) are added from the chain first.
   */
  append(rows: readonly StoredTx[], txs: readonly Tx[], height: number): void {
    if (this.height < height - 1) this.#fill(height - 1);
    txs.forEach((tx, i) => {
      const e = accessEventOf(tx.body.type, tx.body.payload, tx.body.signer);
      if (e) this.#ensure().insert.run(rows[i]!.seq, blindBytes(e.patient));
    });
    this.#store.setMeta(HEIGHT_KEY, String(height));
  }

  /** Builds the table from the chain up to the stored head, in one transaction (a data directory from before it). */
  catchUp(): void {
    this.#ensure(); // the table exists from now on
    const head = this.#store.head()?.height ?? -1;
    if (this.height >= head) return;
    this.#store.inTransaction(() => {
      this.#fill(head);
    });
  }

  /** Events of one patient (blind id), oldest first: those after log position `page.after`, at most `page.limit`. */
  ofPatient(patient: string, page: EventPage = {}): AccessEntry[] {
    const q = this.#ensure();
    const key = Buffer.from(patient, 'hex');
    return this.#events(
      page.newestFirst === true
        ? q.ofPatientDesc.iterate(key, page.before ?? Number.MAX_SAFE_INTEGER, page.limit ?? -1)
        : q.ofPatient.iterate(key, page.after ?? -1, page.limit ?? -1),
    );
  }

  /** Every event (a page of them, as for `ofPatient`). */
  all(page: EventPage = {}): AccessEntry[] {
    const q = this.#ensure();
    return this.#events(
      page.newestFirst === true
        ? q.allDesc.iterate(page.before ?? Number.MAX_SAFE_INTEGER, page.limit ?? -1)
        : q.all.iterate(page.after ?? -1, page.limit ?? -1),
    );
  }

  /** How many events there are, of one patient or in all. */
  count(patient?: string): number {
    const q = this.#ensure();
    const row = patient === undefined ? q.count.get() : q.countOf.get(Buffer.from(patient, 'hex'));
    return (row as { n: number }).n;
  }

  /** The event carried by transaction `txId`, or undefined (no such transaction, or not an event). */
  event(txId: string): AccessEntry | undefined {
    const t = /^[0-9a-f]{64}$/.test(txId) ? this.#store.txById(txId) : undefined;
    if (!t || this.#ensure().has.get(t.seq) === undefined) return undefined;
    return this.#events([{ seq: t.seq, id: t.id, height: t.height, type: t.type, body: t.body }])[0];
  }

  /** The first difference between the table and the events the chain gives, or undefined. */
  check(): AccessLogMismatch | undefined {
    const stored = this.#ensure().stored.iterate()[Symbol.iterator]() as Iterator<{
      seq: number;
      patient: string | null;
    }>;
    const upTo = this.height;
    for (const t of this.#store.txsOfTypes(ACCESS_EVENT_TX_TYPES)) {
      if (t.height > upTo) break;
      const e = storedEvent(t.type, t.body)?.event;
      if (!e) continue;
      const s = stored.next();
      if (s.done) return { seq: t.seq, detail: 'an access event of the chain is missing from the table' };
      if (s.value.seq !== t.seq)
        return {
          seq: Math.min(s.value.seq, t.seq),
          detail:
            s.value.seq > t.seq
              ? 'an access event of the chain is missing from the table'
              : 'the table lists an access event the chain does not hold',
        };
      if ((s.value.patient === '' ? undefined : s.value.patient) !== e.patient)
        return { seq: t.seq, detail: 'the table files the access event under another patient' };
    }
    const extra = stored.next();
    stored.return?.();
    return extra.done
      ? undefined
      : { seq: extra.value.seq, detail: 'the table lists an access event the chain does not hold' };
  }

  /** `check` as a problem of `medledger verify`'s vault report; none while the table does not exist. */
  problem(): VaultProblem | undefined {
    const m = this.exists() ? this.check() : undefined;
    if (!m) return undefined;
    return {
      record: '',
      height: this.#store.txsBySeq(m.seq, m.seq + 1)[0]?.height ?? -1,
      kind: 'access-log',
      detail: `log position ${String(m.seq)}: ${m.detail}`,
    };
  }

  /** Adds the events of blocks above the table's height up to `to`, inside the caller's transaction. */
  #fill(to: number): void {
    const from = this.height;
    // From the first transaction above the table's height: a table a few blocks behind costs those blocks.
    const fromSeq = from < 0 ? 0 : (this.#store.blockByHeight(from + 1)?.firstSeq ?? Number.MAX_SAFE_INTEGER);
    for (const t of this.#store.txsOfTypes(ACCESS_EVENT_TX_TYPES, fromSeq)) {
      if (t.height > to) break; // in log order, so heights only rise
      if (t.height <= from) continue;
      const e = storedEvent(t.type, t.body)?.event;
      if (e) this.#ensure().insert.run(t.seq, blindBytes(e.patient));
    }
    this.#store.setMeta(HEIGHT_KEY, String(to));
  }

  #events(rows: Iterable<unknown>): AccessEntry[] {
    const out: AccessEntry[] = [];
    for (const r of rows) {
      const row = r as JoinedRow;
      const e = storedEvent(row.type, row.body);
      if (e) out.push({ ...e.event, seq: row.seq, tx: row.id, height: row.height, time: e.time });
    }
    return out;
  }
}

/** A blind id (64 hex) as its 32 bytes: half the size in the table and its index. */
function blindBytes(patient: string | undefined): Uint8Array | null {
  return patient === undefined ? null : Buffer.from(patient, 'hex');
}

/** The access event of a stored transaction (type and canonical JSON body), with its time. */
function storedEvent(type: string, body: string): { event: AccessLogPayload; time: number } | undefined {
  let b: { payload?: unknown; signer?: unknown; time?: unknown };
  try {
    b = JSON.parse(body) as typeof b;
  } catch {
    return undefined; // a body that does not parse is the chain verification's to report
  }
  const event = accessEventOf(type, b.payload, String(b.signer));
  return event && typeof b.time === 'number' ? { event, time: b.time } : undefined;
}
