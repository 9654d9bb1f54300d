/**
 * @module
 * What a member node may fetch from this one to replicate (see core/node-auth.ts): stored blocks
 * with their certificates, a record's ciphertext, and the record keys wrapped for the organizations
 * the asking node hosts — never another organization's or a patient's wraps.
 */
import type { WrappedKey } from '../core/envelope.ts';
import { verifyNodeRequest } from '../core/node-auth.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import { MAX_REPLICA_BLOCKS, replicaBlocks } from '../chain/peer-catch-up.ts';
import type { ReplicaBlock } from '../chain/peer-catch-up.ts';
import type { Vault } from './vault.ts';

export { MAX_REPLICA_BLOCKS };

export class ReplicaSource {
  readonly #ledger: ChainNode;
  readonly #vault: Vault;

  constructor(ledger: ChainNode, vault: Vault) {
    this.#ledger = ledger;
    this.#vault = vault;
  }

  /** The key id of the member node that signed this request, if one did (and is active). */
  peerOf(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    method: string,
    path: string,
    now: number,
  ): string | undefined {
    return verifyNodeRequest(headers, method, path, now, (id) => {
      const e = this.#ledger.directory.active(id);
      return e?.role === 'node' ? e.publicKey : undefined;
    });
  }

  blocks(from: number, limit: number): ReplicaBlock[] {
    return replicaBlocks(this.#ledger.store, from, limit);
  }

  blob(record: string, hash: string): Uint8Array | undefined {
    return this.#vault.blob(record, hash);
  }

  /** The wraps of `record`'s key for the organizations node `peer` hosts. */
  keysFor(record: string, peer: string): [recipient: string, key: WrappedKey][] {
    return [...this.#vault.keysOf(record)].filter(
      ([r]) => r.startsWith('org:') && this.#ledger.directory.org(r.slice(4))?.host === peer,
    );
  }
}
