/**
 * @module
 * Blocks and transactions as a Store keeps them (src/store) and as checkBlock reads them
 * (src/state-machine): canonical JSON and hex, exactly the bytes that were hashed and signed.
 */

export interface StoredBlock {
  readonly height: number;
  readonly hash: string;
  /** Canonical JSON of the header, exactly as hashed. */
  readonly header: string;
  /** Hex Ed25519 signature of the proposer over the block hash. */
  readonly signature: string;
  /** Log position (sequence number) of the block's first transaction. */
  readonly firstSeq: number;
  /** Finality certificate (JSON), when the ordering service provides one. */
  readonly certificate?: string;
}

export interface StoredTx {
  /** Position in the log-wide tree (0-based). */
  readonly seq: number;
  readonly id: string;
  readonly height: number;
  readonly type: string;
  /** Canonical JSON body. */
  readonly body: string;
  /** Hex signature. */
  readonly sig: string;
}
