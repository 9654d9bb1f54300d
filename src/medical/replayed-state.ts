/**
 * @module
 * The medical state the chain gives, replayed into a scratch database (memory stays bounded however
 * long the chain), and where the state tables on disk differ from it. What `medledger verify` and the
 * monitor's full run check: both read the tables and the chain in one read transaction, so a node
 * committing blocks meanwhile does not make them differ.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blindId } from '../core/blind-index.ts';
import type { PatientRecordTest } from '../state-machine/medical-state.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { SqliteMedicalState, stateDifference } from './sqlite-medical-state.ts';

/** The first difference between the state tables and the replayed chain, located on the chain. */
export interface StateDifference {
  /** Height of the block of the first differing row, −1 when it is not one row (heights, epoch). */
  readonly height: number;
  readonly detail: string;
}

/**
 * Replays the chain of `ledger` into a scratch database and runs `fn` on the replayed state and the
 * difference of the stored tables from it (undefined: equal, or a data directory without tables).
 */
export function withReplayedState<T>(
  ledger: SqliteStore,
  isPatientRecord: PatientRecordTest,
  fn: (replayed: SqliteMedicalState, difference: StateDifference | undefined) => T,
): T {
  const scratch = mkdtempSync(join(tmpdir(), 'medledger-replay-'));
  const replayStore = new SqliteStore(join(scratch, 'state.sqlite'));
  const db = ledger.database;
  const own = !db.isTransaction;
  if (own) db.exec('BEGIN'); // one snapshot of chain and tables (a read transaction in WAL mode)
  try {
    const replayed = new SqliteMedicalState(replayStore, { chain: ledger, isPatientRecord });
    replayed.catchUp();
    let difference: StateDifference | undefined;
    if (ledger.hasTable('state_records')) {
      const d = stateDifference(new SqliteMedicalState(ledger), replayed);
      if (d)
        difference = {
          height: d.seq < 0 ? -1 : (ledger.txsBySeq(d.seq, d.seq + 1)[0]?.height ?? -1),
          detail: d.seq < 0 ? d.detail : `log position ${String(d.seq)}: ${d.detail}`,
        };
    }
    return fn(replayed, difference);
  } finally {
    if (own) db.exec('COMMIT');
    replayStore.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Where the state tables of `ledger` differ from the replayed chain (patients told by `indexKey`). */
export function stateDifferenceOf(ledger: SqliteStore, indexKey: Uint8Array): StateDifference | undefined {
  return withReplayedState(
    ledger,
    (id, patient) => blindId(indexKey, id) === patient,
    (_replayed, difference) => difference,
  );
}
