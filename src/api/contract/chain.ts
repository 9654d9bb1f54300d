/**
 * @module
 * Shapes of the chain API (chain-routes.ts): this node, block headers signed by their proposer,
 * transactions as canonical body text plus signature, and inclusion proofs (`GET
 * /api/v1/records/:id/proof`, `GET /api/v1/chain/txs/:id/proof`). Hashes, keys and signatures are
 * lowercase hex; times are ms since the epoch.
 */

/** `GET /api/v1/node`. */
export interface NodeInfo {
  readonly keyId: string;
  readonly publicKey: string;
  /** From the genesis block's parameters: absent while the chain has none. */
  readonly chainId?: string;
  readonly org: string;
  readonly hostedOrgs: readonly string[];
  readonly minDifficulty: number;
  readonly height: number;
  readonly logSize: number;
}

export interface BlockHeaderJson {
  readonly height: number;
  readonly prevHash: string;
  /** RFC 6962 root over this block's transaction ids. */
  readonly merkleRoot: string;
  /** Transactions in the whole log up to and including this block. */
  readonly logSize: number;
  /** RFC 6962 root of the log-wide tree of `logSize` leaves. */
  readonly logRoot: string;
  readonly time: number;
  readonly difficulty: number;
  readonly nonce: number;
  /** Key id of the proposing node. */
  readonly proposer: string;
  readonly txCount: number;
}

/** A signed tree head: a block header, its hash and the proposer's Ed25519 signature of that hash. */
export interface SignedHeadJson {
  readonly header: BlockHeaderJson;
  readonly hash: string;
  readonly signature: string;
}

export interface TxSummaryJson {
  readonly id: string;
  readonly type: string;
  readonly signer: string;
  readonly time: number;
}

/** `GET /api/v1/chain/head` and `/chain/blocks/:ref`; a consortium's blocks also carry `certificate` (untyped here). */
export interface BlockJson extends SignedHeadJson {
  readonly height: number;
  readonly txs: readonly TxSummaryJson[];
}

/** `GET /api/v1/chain/txs/:id`. */
export interface TxJson {
  readonly id: string;
  /** RFC 8785 canonical JSON of `{type, payload, signer, time, nonce}`: what the id commits to. */
  readonly body: string;
  readonly decoded: {
    readonly type: string;
    readonly payload: unknown;
    readonly signer: string;
    readonly time: number;
    readonly nonce: string;
  };
  readonly sig: string;
  readonly height: number;
  /** Position within its block. */
  readonly index: number;
  /** Position in the whole log (the leaf index). */
  readonly seq: number;
}

/** An RFC 9162 §2.1.3 inclusion proof with the transaction, its block and the signed head it is against. */
export interface ProofJson {
  readonly txId: string;
  readonly tx: { readonly body: string; readonly sig: string };
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Audit path, leaf side first. */
  readonly proof: readonly string[];
  readonly block: SignedHeadJson & { readonly height: number };
  readonly head: SignedHeadJson;
  readonly proposerPublicKey: string;
}
