/**
 * @module
 * Proofs served from the store (RFC 9162 §2.1.3, §2.1.4): the proof's node ids are planned by
 * core/merkle/proof-plan and only those O(log n) stored nodes are read; the tree is never rebuilt.
 * An inclusion proof comes with the signed head it is against (a block header commits to the log root
 * and size), so a client needs only the core verifier and the node's public key.
 */
import { parseHeader } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { InvalidBlockError, MerkleIndexError, TxNotFoundError } from '../core/errors.ts';
import type { NodeId } from '../core/merkle/node-id.ts';
import { assembleProof, planConsistency, planInclusion, planNodeIds } from '../core/merkle/proof-plan.ts';
import type { Store } from '../store/store.ts';

export interface InclusionProof {
  readonly txId: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly proof: string[];
  /** The signed head the proof is against: a block header, its hash and the proposer's signature. */
  readonly head: { readonly header: BlockHeader; readonly hash: string; readonly signature: string };
  readonly proposerPublicKey: string;
}

export function inclusionProof(store: Store, txId: string, proposerPublicKey: Uint8Array): InclusionProof {
  const row = store.txById(txId);
  const head = store.head();
  if (!row || !head) throw new TxNotFoundError(txId);
  const header = parseHeader(head.header);
  const plan = planInclusion(row.seq, header.logSize);
  const proof = assembleProof(plan, nodeGetter(store, planNodeIds(plan)));
  return {
    txId,
    leafIndex: row.seq,
    treeSize: header.logSize,
    proof: proof.map(toHex),
    head: { header, hash: head.hash, signature: head.signature },
    proposerPublicKey: toHex(proposerPublicKey),
  };
}

export function consistencyProof(store: Store, size1: number, size2: number, logSize: number): string[] {
  if (size2 > logSize) {
    throw new MerkleIndexError(`size2 ${size2} is beyond the log size ${logSize}`, { size2, logSize });
  }
  const plan = planConsistency(size1, size2);
  return assembleProof(plan, nodeGetter(store, planNodeIds(plan))).map(toHex);
}

/** Reads the planned nodes in one pass and serves them to the proof assembler. */
function nodeGetter(store: Store, ids: NodeId[]): (id: NodeId) => Uint8Array {
  const hashes = store.merkleNodes(ids);
  const map = new Map(ids.map((id, i) => [`${id.level}/${id.index}`, hashes[i]]));
  return (id) => {
    const h = map.get(`${id.level}/${id.index}`);
    if (!h) throw new InvalidBlockError(`Merkle node ${id.level}/${id.index} is missing from the store`);
    return h;
  };
}
