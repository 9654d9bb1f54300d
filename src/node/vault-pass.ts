/**
 * @module
 * The integrity monitor's pass over the vault with the expensive half in the monitor's thread: there,
 * every live record's ciphertext is read and hashed (vault-check.ts `blobFindings`); here, only what it
 * flags and the erased records are checked again, against the records and the vault as they are by
 * then (vault-check.ts `vaultChecks`), so a record erased or replicated meanwhile is not reported.
 */
import type { RecordEntry } from '../ledger/medical-state.ts';
import { blobsInThread, monitorThreadUp } from './monitor-thread.ts';
import { runChecks, runChecksInSlices, vaultChecks } from './vault-check.ts';
import type { VaultReport } from './vault-check.ts';
import type { Vault } from './vault.ts';

/** The vault check of `records`, its hashing in the monitor's thread; undefined when not run there. */
export async function vaultPassInThread(
  records: ReadonlyMap<string, RecordEntry>,
  vault: Vault,
  replicating: () => ReadonlySet<string>,
): Promise<VaultReport | undefined> {
  const live: RecordEntry[] = [];
  const erased: string[] = [];
  for (const r of records.values()) {
    if (r.erasedBy) erased.push(r.id);
    else live.push(r);
  }
  const found = await blobsInThread(vault.path, live.map((r) => r.blob).join(''));
  if (!found) return undefined;
  const again = new Map<string, RecordEntry>();
  const recheck = (id: string): void => {
    const r = records.get(id);
    if (r) again.set(id, r);
  };
  for (const at of found.missing) recheck(live[at]!.id);
  for (const { at } of found.mismatched) recheck(live[at]!.id);
  for (const id of erased) recheck(id);
  const confirmed = runChecks(vaultChecks(again, vault, replicating()));
  return { ...confirmed, checked: live.length };
}

/**
 * The integrity monitor's vault check: in the monitor's thread when it is up, else here in slices of
 * records with the event loop given back between them.
 */
export async function monitorVaultPass(
  records: ReadonlyMap<string, RecordEntry>,
  vault: Vault,
  replicating: () => ReadonlySet<string>,
): Promise<VaultReport> {
  const inThread = monitorThreadUp() ? await vaultPassInThread(records, vault, replicating) : undefined;
  return inThread ?? (await runChecksInSlices(vaultChecks(records, vault, replicating())));
}
