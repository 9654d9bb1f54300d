import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { medicalStateConformance } from '../state-machine/medical-state-conformance.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { SqliteMedicalState } from './sqlite-medical-state.ts';

medicalStateConformance('sqlite', {
  create: (isPatientRecord) => {
    const dir = mkdtempSync(join(tmpdir(), 'medledger-state-'));
    const store = new SqliteStore(join(dir, 'ledger.sqlite'));
    return {
      // Two rows per read: every whole-table iteration crosses page boundaries.
      state: new SqliteMedicalState(store, { isPatientRecord, pageRows: 2 }),
      close: () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
