/**
 * @module
 * The integrity monitor's pass over the vault with the expensive half in the monitor's thread: there,
 * every live record's ciphertext is read and hashed (vault-check.ts `blobFindings`); here, only what it
 * flags and the erased records are checked again, against the records and the vault as they are by
 * then (vault-check.ts `vaultChecks`), so a record erased or replicated meanwhile is not reported.
 */
import type { Lookup, RecordEntry } from '../state-machine/medical-state.ts';
import { blobsInThread, monitorThreadUp } from './monitor-thread.ts';
import { runChecks, runChecksInSlices, vaultChecks } from '../medical/vault-check.ts';
import type { VaultReport } from '../medical/vault-check.ts';
import type { SqliteVault } from '../medical/sqlite-vault.ts';

/**
 * The vault check of `records`, its hashing in the monitor's thread (which reads `vault`'s file
 * through a reader of its own); undefined when not run there.
 */
export async function vaultPassInThread(
  records: Lookup<RecordEntry>,
  vault: SqliteVault,
  replicating: () => ReadonlySet<string>,
  chunk = THREAD_CHUNK,
): Promise<VaultReport | undefined> {
  const flagged: string[] = [];
  let checked = 0;
  let live: RecordEntry[] = [];
  // The thread hashes a chunk of records at a time: memory stays bounded however many there are.
  const send = async (): Promise<boolean> => {
    const found = await blobsInThread(
      vault.path,
      live.map((r) => r.id),
      live.map((r) => r.blob).join(''),
    );
    if (!found) return false;
    for (const at of found.missing) flagged.push(live[at]!.id);
    for (const { at } of found.mismatched) flagged.push(live[at]!.id);
    checked += live.length;
    live = [];
    return true;
  };
  for (const r of records.values()) {
    if (r.erasedBy) flagged.push(r.id);
    else live.push(r);
    if (live.length >= chunk && !(await send())) return undefined;
  }
  if (!(await send())) return undefined;
  const again = new Map<string, RecordEntry>();
  for (const id of flagged) {
    const r = records.get(id);
    if (r) again.set(id, r);
  }
  const confirmed = runChecks(vaultChecks(again, vault, replicating()));
  return { ...confirmed, checked };
}

/** Records whose ciphertexts the monitor's thread hashes per message. */
const THREAD_CHUNK = 50_000;

/**
 * The integrity monitor's vault check: in the monitor's thread when it is up, else here in slices of
 * records with the event loop given back between them.
 */
export async function monitorVaultPass(
  records: Lookup<RecordEntry>,
  vault: SqliteVault,
  replicating: () => ReadonlySet<string>,
): Promise<VaultReport> {
  const inThread = monitorThreadUp() ? await vaultPassInThread(records, vault, replicating) : undefined;
  return inThread ?? (await runChecksInSlices(vaultChecks(records, vault, replicating())));
}
