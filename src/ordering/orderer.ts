/**
 * @module
 * The ordering service interface. An orderer decides the one order of blocks: `append` succeeds only
 * for a block that extends the current ordered head (compare-and-swap on height and previous hash), so
 * two proposers can never fork the chain. Ordered blocks are delivered to every subscriber in order.
 * `solo` orders in-process (one embedded node); `etcd` (consortium) orders through a Raft cluster.
 * Both pass `conformance.ts`.
 */
import type { WireBlock } from '../core/block.ts';

export interface OrderedHead {
  readonly height: number;
  readonly hash: string;
}

export type BlockHandler = (block: WireBlock) => void | Promise<void>;

export interface Orderer {
  readonly kind: string;
  /** The last ordered block, or undefined before genesis. */
  head(): Promise<OrderedHead | undefined>;
  /**
   * Orders `block` right after the head. Rejects with StoreConflictError when another block already
   * took its height or it does not link to the head; rejects with the handler's error when delivery to
   * the local node fails (the block is then not ordered).
   */
  append(block: WireBlock): Promise<void>;
  /**
   * Calls `handler` for every ordered block with height ≥ `fromHeight` that the orderer still holds,
   * then for each new one, in order. Returns a function that unsubscribes.
   */
  subscribe(fromHeight: number, handler: BlockHandler): () => void;
  close(): Promise<void>;
}
