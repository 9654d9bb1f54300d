/**
 * @module
 * The integrity monitor's checks of a medical node's off-chain data, off the main thread when the
 * monitor's thread is up: the vault against the records, and the state tables against the chain.
 */
import type { MedicalNode } from '../medical/medical-node.ts';
import { stateDifferenceOf } from '../medical/replayed-state.ts';
import type { StateDifference } from '../medical/replayed-state.ts';
import type { VaultReport } from '../medical/vault-check.ts';
import { stateInThread } from './monitor-thread.ts';
import { monitorVaultPass } from './vault-pass.ts';

/** The vault check of every record (vault-check.ts), its hashing in the monitor's thread (vault-pass.ts). */
export function vaultCheckInBackground(
  node: Pick<MedicalNode, 'state' | 'vault' | 'replicating'>,
): Promise<VaultReport> {
  return monitorVaultPass(node.state.records, node.vault, () => node.replicating());
}

/** Where the state tables differ from the chain replayed: in the monitor's thread, or here when it is not up. */
export async function stateCheckInBackground(
  node: Pick<MedicalNode, 'ledger' | 'indexKey'>,
): Promise<StateDifference | undefined> {
  const r = await stateInThread(node.ledger.store.path, node.indexKey);
  return r === 'not-run' ? stateDifferenceOf(node.ledger.store, node.indexKey) : r;
}
