/**
 * @module
 * Catching up from peers (consortium). etcd keeps only the blocks some member has not stored yet, so
 * a new member, or one that lost its data, reads the older blocks from other members over HTTP
 * (node-signed requests, `GET /api/v1/replica/blocks`). Nothing a peer sends is trusted: every block
 * goes through the node's own commit path (hash links, Merkle roots, proof-of-work, every signature,
 * identities and permissions), and a finality certificate is stored only once it checks against the
 * members of its height.
 */
import type { BlockHeader, WireBlock } from '../core/block.ts';
import { signNodeRequest } from '../core/node-auth.ts';
import type { Signer } from '../core/keys.ts';
import type { OrderedHead } from '../ordering/orderer.ts';
import type { Store } from '../store/store.ts';

/** An ordered block with the finality certificate its sender holds. */
export type ReplicaBlock = WireBlock & { readonly certificate?: string };

/** At most this many blocks per reply (and the reply stays under about 8 MiB). */
export const MAX_REPLICA_BLOCKS = 64;
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

/** The stored blocks from `from` on, in wire form with their certificates (what a peer answers). */
export function replicaBlocks(store: Store, from: number, limit: number): ReplicaBlock[] {
  const out: ReplicaBlock[] = [];
  let bytes = 0;
  for (const b of store.blocks(from, from + Math.min(limit, MAX_REPLICA_BLOCKS))) {
    const header = JSON.parse(b.header) as BlockHeader;
    const txs = store
      .txsBySeq(b.firstSeq, b.firstSeq + header.txCount)
      .map((t) => ({ body: t.body, sig: t.sig }));
    const block: ReplicaBlock = {
      header,
      hash: b.hash,
      signature: b.signature,
      txs,
      ...(b.certificate === undefined ? {} : { certificate: b.certificate }),
    };
    bytes += txs.reduce((n, t) => n + t.body.length + t.sig.length, 0);
    if (out.length > 0 && bytes > MAX_REPLY_BYTES) break;
    out.push(block);
  }
  return out;
}

export interface PeerCatchUp {
  readonly signer: Signer;
  /** Base URLs of the other members. */
  readonly peers: readonly string[];
  readonly head: OrderedHead | undefined;
  /** Catch up to (and excluding) this height: etcd holds the rest. */
  readonly until: number;
  /** The node's commit path (validates everything; throws for an invalid block). */
  readonly deliver: (block: WireBlock) => void | Promise<void>;
  readonly fetchTimeoutMs?: number;
}

/**
 * Fetches and commits blocks after `head` up to `until` from the first peer that has them; moves to
 * the next peer when one is unreachable, answers badly or sends a block the node rejects. Returns the
 * new head and the certificates received (height → certificate JSON, to check once committed).
 */
export async function catchUpFromPeers(
  o: PeerCatchUp,
): Promise<{ head: OrderedHead | undefined; certificates: Map<number, string> }> {
  let head = o.head;
  const certificates = new Map<number, string>();
  const failures: string[] = [];
  let peer = 0;
  while ((head?.height ?? -1) + 1 < o.until) {
    if (peer >= o.peers.length)
      throw new Error(
        `cannot catch up from peers: blocks ${String((head?.height ?? -1) + 1)}..${String(o.until - 1)} ` +
          `are no longer in etcd and no member served them (${failures.join('; ')})`,
      );
    const url = o.peers[peer]!;
    const from = (head?.height ?? -1) + 1;
    const path = `/api/v1/replica/blocks?from=${String(from)}&limit=${String(MAX_REPLICA_BLOCKS)}`;
    let blocks: ReplicaBlock[];
    try {
      const res = await fetch(new URL(path, url), {
        headers: signNodeRequest(o.signer, 'GET', path, Date.now()),
        signal: AbortSignal.timeout(o.fetchTimeoutMs ?? 15_000),
      });
      if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
      blocks = ((await res.json()) as { blocks?: ReplicaBlock[] }).blocks ?? [];
      if (blocks.length === 0) throw new Error('no blocks');
      for (const b of blocks) {
        if (b.header.height >= o.until) break;
        const { certificate, ...block } = b;
        await o.deliver(block);
        head = { height: block.header.height, hash: block.hash };
        if (typeof certificate === 'string') certificates.set(block.header.height, certificate);
      }
    } catch (e) {
      failures.push(`${url}: ${e instanceof Error ? e.message : String(e)}`);
      peer++;
    }
  }
  return { head, certificates };
}
