/**
 * @module
 * Checks one stored block against the chain state: header decoding, height, hash link, block hash,
 * proof-of-work and difficulty floor, time order, proposer, transaction count and sequence, each
 * transaction's id, decoding, signer and time, the block Merkle root and the log-wide root. Pure: it
 * returns problems with their exact location, plus the signatures still to verify, so the caller can
 * verify them in parallel (or skip them for a hash-only check). `advance` then moves the state on.
 */
import { blockHashBytes, parseHeader } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import type { NodeWithHash } from '../core/merkle/compact-range.ts';
import { merkleRoot } from '../core/merkle/root.ts';
import { leadingZeroBits } from '../core/pow.ts';
import { problem } from '../core/problem.ts';
import type { Problem } from '../core/problem.ts';
import { txIdOf, TX_TYPES } from '../core/tx.ts';
import type { Tx, TxBody } from '../core/tx.ts';
import type { KeyObject } from 'node:crypto';
import type { StoredBlock, StoredTx } from '../core/stored.ts';
import { parseGenesis } from './chain-state.ts';
import type { ChainState } from './chain-state.ts';

/** How far a transaction's time may be ahead of its block's time (clock skew between nodes). */
export const MAX_TX_SKEW_MS = 5 * 60_000;

/** One signature to verify: `sig` over `message` by `publicKey`; `tx` undefined for the block's own. */
export interface SigJob {
  readonly height: number;
  readonly tx?: number;
  readonly publicKey: KeyObject;
  readonly message: Uint8Array;
  readonly sig: Uint8Array;
}

export interface BlockCheck {
  readonly problems: Problem[];
  readonly sigJobs: SigJob[];
  /** Decoded header, or undefined when it could not be decoded. */
  readonly header: BlockHeader | undefined;
  readonly hash: string;
  /** Decoded transactions (those that decoded), for state transitions. */
  readonly txs: Tx[];
  /** Recomputed ids of every stored transaction of the block, in log order. */
  readonly ids: Uint8Array[];
}

const TYPES: ReadonlySet<string> = new Set(TX_TYPES);
const NO_SIG = new Uint8Array(0);

export function checkBlock(
  state: ChainState,
  row: StoredBlock,
  rows: readonly StoredTx[],
  opts: {
    signatures?: boolean;
    /** The rows' transactions already decoded from these very bodies (a block this node built). */
    known?: readonly Tx[] | undefined;
  } = {},
): BlockCheck {
  const known = opts.known?.length === rows.length ? opts.known : undefined;
  const withSigs = opts.signatures ?? true;
  const problems: Problem[] = [];
  const sigJobs: SigJob[] = [];
  const height = state.height + 1;
  const at = (kind: Problem['kind'], detail: string, extra?: Parameters<typeof problem>[3]): void => {
    problems.push(problem(height, kind, detail, extra));
  };

  let header: BlockHeader;
  try {
    header = parseHeader(row.header);
  } catch (e) {
    at('block-decode', (e as Error).message);
    return { problems, sigJobs, header: undefined, hash: row.hash, txs: [], ids: [] };
  }
  const hashBytes = blockHashBytes(header);
  const hash = toHex(hashBytes);

  if (row.height !== height || header.height !== height) {
    at('height', 'block is not at its place in the chain', {
      expected: String(height),
      found: `row ${row.height}, header ${header.height}`,
    });
  }
  if (header.prevHash !== state.headHash)
    at('prev-hash', 'does not link to the previous block', {
      expected: state.headHash,
      found: header.prevHash,
    });
  if (row.hash !== hash)
    at('block-hash', 'stored hash differs from the hash of the header', { expected: hash, found: row.hash });
  const zeros = leadingZeroBits(hashBytes);
  if (zeros < header.difficulty)
    at('pow', `hash has ${zeros} leading zero bits`, {
      expected: `≥ ${header.difficulty}`,
      found: String(zeros),
    });
  if (state.params && header.difficulty < state.params.minDifficulty) {
    at('difficulty', 'below the chain minimum', {
      expected: `≥ ${state.params.minDifficulty}`,
      found: String(header.difficulty),
    });
  }
  if (header.time < state.headTime)
    at('block-time', 'earlier than the previous block', {
      expected: `≥ ${state.headTime}`,
      found: String(header.time),
    });

  // Transactions: the stored rows of this block start at its first_seq, which must follow the log
  // size the previous header declared. Indexes are relative to the stored first_seq, so one deleted
  // transaction is reported in its own block only.
  const expectedFirst = state.claimedLogSize;
  const first = row.firstSeq;
  if (first !== expectedFirst)
    at('log-size', 'first transaction position', { expected: String(expectedFirst), found: String(first) });
  if (header.logSize !== expectedFirst + header.txCount) {
    at('log-size', 'logSize is not previous size + txCount', {
      expected: String(expectedFirst + header.txCount),
      found: String(header.logSize),
    });
  }
  if (rows.length !== header.txCount) {
    const seqs = new Set(rows.map((r) => r.seq));
    const missing: number[] = [];
    for (let s = first; s < first + header.txCount && missing.length < 10; s++)
      if (!seqs.has(s)) missing.push(s);
    at(
      'tx-count',
      `block has ${rows.length} stored transactions${missing.length ? `; missing log positions ${missing.join(', ')}` : ''}`,
      {
        expected: String(header.txCount),
        found: String(rows.length),
      },
    );
  }

  const ids: Uint8Array[] = [];
  const txs: Tx[] = [];
  const txIndex: number[] = [];
  for (const [k, r] of rows.entries()) {
    const idx = r.seq - first;
    const pre = known?.[k];
    const idBytes = pre?.idBytes ?? txIdOf(r.body);
    ids.push(idBytes);
    const id = pre?.id ?? toHex(idBytes);
    if (id !== r.id)
      at('tx-id', 'body does not hash to the stored id', { tx: idx, expected: r.id, found: id });
    if (r.height !== height)
      at('height', 'transaction stored under another block', {
        tx: idx,
        expected: String(height),
        found: String(r.height),
      });
    const body = pre?.body ?? decodeBody(r.body);
    if (typeof body === 'string') {
      at('tx-decode', body, { tx: idx });
      continue;
    }
    const tx: Tx = {
      id,
      idBytes,
      body,
      bodyJson: r.body,
      sig: withSigs ? Buffer.from(r.sig, 'hex') : NO_SIG,
    };
    txs.push(tx);
    txIndex.push(idx);
    if (body.type !== r.type)
      at('tx-decode', 'stored type differs from the body', { tx: idx, expected: body.type, found: r.type });
    if (body.time > header.time + MAX_TX_SKEW_MS)
      at('tx-time', 'transaction is later than its block', {
        tx: idx,
        expected: `≤ ${header.time + MAX_TX_SKEW_MS}`,
        found: String(body.time),
      });
    const violation = state.registry.check(tx, height);
    if (violation) at(violation.kind, violation.detail, { tx: idx });
  }

  const root = toHex(merkleRoot(ids));
  if (root !== header.merkleRoot)
    at('merkle-root', 'root of the transaction ids differs from the header', {
      expected: header.merkleRoot,
      found: root,
    });

  if (height === 0) checkGenesis(state, header, txs, at);
  // Signatures, against the keys known before this block (genesis: the keys it registers).
  const keys = height === 0 ? withGenesisKeys(state, txs) : state.registry;
  for (let i = 0; withSigs && i < txs.length; i++) {
    const tx = txs[i]!;
    const key = keys.active(tx.body.signer);
    if (key)
      sigJobs.push({ height, tx: txIndex[i]!, publicKey: key.publicKey, message: tx.idBytes, sig: tx.sig });
  }
  const proposer = keys.active(header.proposer);
  if (proposer?.role !== 'node') {
    at(
      'proposer',
      proposer ? `proposer has role ${proposer.role}` : 'proposer is not a registered node key',
      { found: header.proposer },
    );
  } else if (withSigs) {
    sigJobs.push({
      height,
      publicKey: proposer.publicKey,
      message: hashBytes,
      sig: Buffer.from(row.signature, 'hex'),
    });
  }
  return { problems, sigJobs, header, hash, txs, ids };
}

export interface LogExtension {
  /** The log-wide frontier after this block (a copy: the state is not touched). */
  readonly range: CompactRange;
  /** Perfect Merkle nodes completed by the block's transactions, for the store. */
  readonly nodes: NodeWithHash[];
  readonly problems: Problem[];
}

/** Appends a checked block's recomputed ids to a copy of the log frontier and checks `logRoot`. */
export function extendLog(state: ChainState, check: BlockCheck): LogExtension {
  const src = state.logRange;
  const range = CompactRange.fromFrontier(src.size, src.frontier());
  const nodes: NodeWithHash[] = [];
  for (const id of check.ids) for (const n of range.append(id)) nodes.push(n);
  const problems: Problem[] = [];
  const header = check.header;
  if (header && state.logDivergedAt === undefined) {
    const logRoot = toHex(range.root());
    if (logRoot !== header.logRoot) {
      problems.push(
        problem(
          state.height + 1,
          'log-root',
          'log-wide Merkle root differs from the header (later heads differ too)',
          {
            expected: header.logRoot,
            found: logRoot,
          },
        ),
      );
    }
  }
  return { range, nodes, problems };
}

/**
 * Moves the state past a checked block whose log extension is `ext`; `directory: false` when the
 * caller applied the block to the directory itself (a directory on disk changes in the block's store
 * transaction).
 */
export function advance(
  state: ChainState,
  check: BlockCheck,
  ext: LogExtension,
  opts: { directory?: boolean } = {},
): void {
  const height = state.height + 1;
  if (ext.problems.some((p) => p.kind === 'log-root')) state.logDivergedAt = height;
  state.logRange = ext.range;
  if (check.header) {
    state.headTime = Math.max(state.headTime, check.header.time);
    state.claimedLogSize = check.header.logSize;
  }
  if (height === 0) {
    const genesis = check.txs.find((t) => t.body.type === 'chain.genesis');
    const params = genesis ? parseGenesis(genesis.body.payload) : undefined;
    if (params && typeof params !== 'string') state.params = params;
  }
  if (opts.directory ?? true) state.registry.apply(check.txs, height);
  state.height = height;
  state.headHash = check.hash;
}

function checkGenesis(
  state: ChainState,
  header: BlockHeader,
  txs: readonly Tx[],
  at: (k: Problem['kind'], d: string) => void,
): void {
  const genesis = txs[0];
  if (genesis?.body.type !== 'chain.genesis') {
    at('genesis', 'first transaction of block 0 must be chain.genesis');
    return;
  }
  const params = parseGenesis(genesis.body.payload);
  if (typeof params === 'string') at('genesis', params);
  else if (header.difficulty < params.minDifficulty) at('difficulty', 'genesis below its own minimum');
  if (state.height !== -1) at('genesis', 'genesis must be the first block');
}

function withGenesisKeys(state: ChainState, txs: readonly Tx[]): ChainState['registry'] {
  state.registry.apply(
    txs.filter((t) => t.body.type === 'identity.register'),
    0,
  );
  return state.registry;
}

function decodeBody(json: string): TxBody | string {
  let b: unknown;
  try {
    b = JSON.parse(json);
  } catch {
    return 'body is not JSON';
  }
  if (typeof b !== 'object' || b === null) return 'body is not an object';
  const o = b as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return `unknown type ${String(o.type)}`;
  if (
    typeof o.signer !== 'string' ||
    typeof o.time !== 'number' ||
    typeof o.nonce !== 'string' ||
    !('payload' in o)
  ) {
    return 'body lacks signer, time, nonce or payload';
  }
  return o as unknown as TxBody;
}
