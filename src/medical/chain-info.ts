/**
 * @module
 * The chain as the medical facade shows it to the API: heads, blocks, transactions, proofs and the
 * key directory, read-only. Nothing here can submit, mine or configure the chain.
 */
import type { Tx } from '../core/tx.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { BlockView } from '../chain/chain-views.ts';
import type { InclusionProof } from '../chain/proofs.ts';
import type { KeyRegistry } from '../state-machine/key-registry.ts';

/** What the API reads of the key directory (users, node keys, organizations, member proposals). */
export type DirectoryReads = Pick<
  KeyRegistry,
  'active' | 'entry' | 'orgs' | 'org' | 'withRole' | 'nodeKeys' | 'proposals' | 'proposal'
>;

/** An inclusion proof with the transaction's canonical body and the block that holds it. */
export interface TxProof extends InclusionProof {
  readonly tx: { readonly body: string; readonly sig: string };
  readonly block: Pick<BlockView, 'height' | 'hash' | 'header' | 'signature'>;
}

export class ChainInfo {
  readonly #ledger: ChainNode;

  constructor(ledger: ChainNode) {
    this.#ledger = ledger;
  }

  get height(): number {
    return this.#ledger.height;
  }

  get logSize(): number {
    return this.#ledger.logSize;
  }

  get chainId(): string | undefined {
    return this.#ledger.chainId;
  }

  get minDifficulty(): number {
    return this.#ledger.minDifficulty;
  }

  get pendingCount(): number {
    return this.#ledger.pendingCount;
  }

  /** The node's signing key (to verify its blocks and proofs). */
  get nodeKey(): { readonly keyId: string; readonly publicKey: Uint8Array } {
    return { keyId: this.#ledger.signer.keyId, publicKey: this.#ledger.signer.publicKey };
  }

  /** The node's data directory (where the attack lab keeps its reports). */
  get dataDir(): string {
    return this.#ledger.paths.dir;
  }

  get directory(): DirectoryReads {
    return this.#ledger.directory;
  }

  hasOrg(org: string): boolean {
    return this.#ledger.hasOrg(org);
  }

  lastBlock(): BlockView {
    return this.#ledger.lastBlock();
  }

  block(ref: number | string): BlockView {
    return this.#ledger.block(ref);
  }

  tx(id: string): { tx: Tx; height: number; index: number; seq: number } {
    return this.#ledger.tx(id);
  }

  /** Inclusion proof of `txId` with its body and block (TxNotFound for an unknown or pending one). */
  proof(txId: string): TxProof {
    const p = this.#ledger.inclusionProof(txId);
    const row = this.#ledger.store.txById(txId)!;
    const block = this.#ledger.block(row.height);
    return {
      ...p,
      tx: { body: row.body, sig: row.sig },
      block: { height: block.height, hash: block.hash, header: block.header, signature: block.signature },
    };
  }

  consistencyProof(size1: number, size2: number): string[] {
    return this.#ledger.consistencyProof(size1, size2);
  }

  /** Calls `fn` with the transactions of each block committed from now on. */
  onCommit(fn: (txs: readonly Tx[], height: number) => void): void {
    this.#ledger.onCommit(fn);
  }
}
