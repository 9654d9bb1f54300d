/**
 * @module
 * A ledger node's core, composed from the pieces below it: a data directory with its SQLite store and
 * node key, the chain state, a pending list (mempool) of verified transactions, a block producer that
 * assembles, mines, signs and orders blocks, and a commit path that checks every block against the
 * stored head before it is written. The seed document's `add_new_data`, `mine`, `last_block` and get
 * by hash are `addData`, `mine`, `lastBlock` and `block`.
 */
import { mkdirSync } from 'node:fs';
import { ZERO_HASH, headerJson, parseHeader, signBlockHash } from '../core/block.ts';
import type { BlockHeader, WireBlock } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import type { Json } from '../core/canonical-json.ts';
import {
  BadSignatureError,
  BlockNotFoundError,
  InvalidBlockError,
  LedgerExistsError,
  NotInitializedError,
  ReplayError,
  TxNotFoundError,
  TxNotPermittedError,
  TxTimeError,
  UnknownSignerError,
} from '../core/errors.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { merkleRoot } from '../core/merkle/root.ts';
import type { Problem } from '../core/problem.ts';
import { formatProblem } from '../core/problem.ts';
import { createTx, decodeTx, encodeTx, isFresh, isMadeHere, redecodeTx } from '../core/tx.ts';
import type { Tx, WireTx } from '../core/tx.ts';
import type { Signer } from '../core/keys.ts';
import type { FinalityCertificate } from '../core/vote.ts';
import { emptyChainState } from '../ledger/chain-state.ts';
import type { ChainState } from '../ledger/chain-state.ts';
import { advance, checkBlock, MAX_TX_SKEW_MS } from '../ledger/check-block.ts';
import type { BlockCheck, LogExtension } from '../ledger/check-block.ts';
import type { BlockHandler, Orderer, OrderedHead } from '../ordering/orderer.ts';
import { SoloOrderer } from '../ordering/solo-orderer.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { StoredBlock, StoredTx } from '../store/store.ts';
import {
  createNodeKey,
  dataPaths,
  keyExists,
  ledgerExists,
  loadNodeKey,
  readWitness,
  removeEmptyStore,
  writeWitness,
} from './data-dir.ts';
import type { DataPaths } from './data-dir.ts';
import { verifyAll, verifyNow } from './sig-pool.ts';
import type { SignatureCheck } from './sig-pool.ts';
import { verifyChain } from './verify-chain.ts';
import { syncMiner } from './miner.ts';
import type { Miner } from './miner.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';
import { checkRemoteBlock, storedForm } from './remote-block.ts';
import type { InclusionProof } from './proofs.ts';
import type { VerifyReport } from './verify-chain.ts';

/** How far a submitted transaction's time may be from the node's clock. */
export const SUBMIT_WINDOW_MS = 10 * 60_000;
export const DEFAULT_MAX_BLOCK_TXS = 1000;
/** A block's transactions stay under this many bytes (an etcd value holds a whole block). */
export const DEFAULT_MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/** What a ledger gives the ordering service it starts: where to continue and how to commit. */
export interface OrdererStart {
  readonly head: OrderedHead | undefined;
  /** The node's key (an ordering service may authenticate the node with it). */
  readonly signer: Signer;
  /** Validates and commits an ordered block (throws InvalidBlockError for an invalid one). */
  readonly deliver: BlockHandler;
  /** Called when `deliver` rejected an ordered block (the node votes it invalid). */
  readonly onDeliveryError: (block: WireBlock, error: unknown) => void;
}

/** Starts the ordering service of a ledger: `solo` by default, `etcd` for a consortium. */
export type MakeOrderer = (start: OrdererStart) => Promise<Orderer>;

export interface InitOptions {
  /** Minimum (and default) difficulty in leading zero bits. */
  readonly difficulty?: number;
  readonly chainId?: string;
  readonly now?: () => number;
}

export interface OpenOptions {
  /** How to check the stored chain on open (default: from the checkpoint). */
  readonly verify?: 'checkpoint' | 'full';
  readonly now?: () => number;
  /** The ordering service (default: solo, in process). */
  readonly orderer?: MakeOrderer;
}

export interface MineOptions {
  readonly difficulty?: number;
  readonly maxTxs?: number;
}

export interface MinedBlock {
  readonly block: WireBlock;
  readonly nonce: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly header: BlockHeader;
  readonly signature: string;
  readonly txs: readonly { id: string; type: string; signer: string; time: number }[];
  /** Finality certificate: the member votes that made the block final (consortium mode). */
  readonly certificate?: FinalityCertificate;
}

export class Ledger {
  readonly paths: DataPaths;
  readonly store: SqliteStore;
  readonly signer: Signer;
  readonly openReport: VerifyReport | undefined;
  readonly #state: ChainState;
  #orderer: Orderer;
  readonly #pending = new Map<string, Tx>();
  /** Fresh transaction objects (core/tx.ts isFresh) already admitted once: a second time is checked in full. */
  readonly #submitted = new WeakSet<Tx>();
  readonly #now: () => number;
  readonly #listeners: ((txs: readonly Tx[], height: number) => void)[] = [];
  readonly #rejectListeners: ((block: WireBlock, error: unknown) => void)[] = [];
  /**
   * Where admitted transactions go before they count as submitted (a consortium publishes them to
   * the shared mempool so whichever node proposes can include them); undefined in solo mode.
   */
  relay: ((txs: readonly Tx[]) => Promise<void>) | undefined;
  /** Largest total size of a block's transaction bodies. */
  maxBlockBytes = DEFAULT_MAX_BLOCK_BYTES;
  /** Where proof-of-work runs: this thread by default, a worker thread for servers. */
  miner: Miner = syncMiner;
  /** The block this node is ordering right now, with its already decoded and verified transactions. */
  #proposing: { hash: string; txs: readonly Tx[]; log: LogExtension } | undefined;

  private constructor(
    paths: DataPaths,
    store: SqliteStore,
    signer: Signer,
    state: ChainState,
    now: () => number,
    report?: VerifyReport,
  ) {
    this.paths = paths;
    this.store = store;
    this.signer = signer;
    this.#state = state;
    this.#now = now;
    this.openReport = report;
    const head = store.head();
    this.#orderer = new SoloOrderer({
      ...(head ? { head: { height: head.height, hash: head.hash } } : {}),
      deliver: (b) => this.#commit(b),
    });
  }

  /** Replaces the default solo orderer with the one `make` starts (before any block is proposed). */
  async #useOrderer(make: MakeOrderer | undefined): Promise<void> {
    if (!make) return;
    await this.#orderer.close();
    const head = this.store.head();
    this.#orderer = await make({
      head: head ? { height: head.height, hash: head.hash } : undefined,
      signer: this.signer,
      deliver: (b) => this.#commit(b),
      onDeliveryError: (b, e) => {
        for (const l of this.#rejectListeners) l(b, e);
      },
    });
  }

  /** The ordering service this ledger uses. */
  get orderer(): Orderer {
    return this.#orderer;
  }

  /** Creates a new ledger in `dir`: node key, store and a mined, signed genesis block. */
  static async init(dir: string, opts: InitOptions = {}): Promise<Ledger> {
    const paths = dataPaths(dir);
    if (ledgerExists(dir)) throw new LedgerExistsError(paths.dir);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    removeEmptyStore(paths); // what an interrupted init left, if anything
    const signer = createNodeKey(paths);
    const store = new SqliteStore(paths.db);
    const ledger = new Ledger(paths, store, signer, emptyChainState(), opts.now ?? Date.now);
    const difficulty = opts.difficulty ?? 0;
    const now = ledger.#now();
    const genesis = [
      createTx(
        signer,
        'chain.genesis',
        { chainId: opts.chainId ?? 'medledger-local', minDifficulty: difficulty },
        { time: now },
      ),
      createTx(
        signer,
        'identity.register',
        { publicKey: toHex(signer.publicKey), role: 'node' },
        { time: now },
      ),
    ];
    for (const tx of genesis) ledger.#pending.set(tx.id, tx);
    await ledger.mine({ difficulty });
    return ledger;
  }

  /** Opens the ledger in `dir`, checking the stored chain from the checkpoint (or fully). */
  static async open(dir: string, opts: OpenOptions = {}): Promise<Ledger> {
    const paths = dataPaths(dir);
    if (!ledgerExists(dir)) throw new NotInitializedError(paths.dir);
    const signer = loadNodeKey(paths);
    const store = new SqliteStore(paths.db);
    const witness = readWitness(paths, signer.privateKey);
    const report = await verifyChain(store, {
      full: opts.verify === 'full',
      witness: witness === 'invalid' ? undefined : witness,
    });
    const ledger = new Ledger(paths, store, signer, report.state, opts.now ?? Date.now, report);
    await ledger.#useOrderer(opts.orderer);
    return ledger;
  }

  /**
   * Opens a consortium member's ledger in `dir`, whose node key was created beforehand (see
   * `consortium init`): on first start the store begins with the consortium's `genesis` block,
   * validated like any other block; later starts open the store (which must hold that genesis).
   */
  static async join(dir: string, genesis: WireBlock, opts: OpenOptions = {}): Promise<Ledger> {
    const paths = dataPaths(dir);
    if (ledgerExists(dir)) {
      const ledger = await Ledger.open(dir, opts);
      if (ledger.store.blockByHeight(0)?.hash !== genesis.hash) {
        await ledger.close();
        throw new InvalidBlockError(`${paths.dir} holds another chain than this genesis`);
      }
      return ledger;
    }
    if (!keyExists(paths)) throw new NotInitializedError(paths.dir);
    removeEmptyStore(paths);
    const ledger = new Ledger(
      paths,
      new SqliteStore(paths.db),
      loadNodeKey(paths),
      emptyChainState(),
      opts.now ?? Date.now,
    );
    try {
      await ledger.#commitRemote(genesis);
      await ledger.#useOrderer(opts.orderer);
    } catch (e) {
      await ledger.close();
      throw e;
    }
    return ledger;
  }

  static async openOrInit(dir: string, opts: InitOptions & OpenOptions = {}): Promise<Ledger> {
    return ledgerExists(dir) ? Ledger.open(dir, opts) : Ledger.init(dir, opts);
  }

  get height(): number {
    return this.#state.height;
  }

  get minDifficulty(): number {
    return this.#state.params?.minDifficulty ?? 0;
  }

  get chainId(): string | undefined {
    return this.#state.params?.chainId;
  }

  /** Calls `fn` with the transactions of every block committed from now on (after it is durable). */
  onCommit(fn: (txs: readonly Tx[], height: number) => void): void {
    this.#listeners.push(fn);
  }

  /** Calls `fn` for every ordered block this node rejected as invalid (it is not applied). */
  onReject(fn: (block: WireBlock, error: unknown) => void): void {
    this.#rejectListeners.push(fn);
  }

  /** Removes a pending transaction (it could not be relayed). */
  #dropPending(ids: readonly string[]): void {
    for (const id of ids) this.#pending.delete(id);
  }

  /** The identity directory as of the last committed block. */
  get directory(): ChainState['registry'] {
    return this.#state.registry;
  }

  /** Whether an organization has joined (as of the last committed block). */
  hasOrg(org: string): boolean {
    return this.#state.registry.org(org) !== undefined;
  }

  isPending(txId: string): boolean {
    return this.#pending.has(txId);
  }

  /** Ids of the pending transactions. */
  pendingIds(): string[] {
    return [...this.#pending.keys()];
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get logSize(): number {
    return this.#state.logRange.size;
  }

  /**
   * Validates a transaction (form, time, replay, signer, signature) and adds it to the pending list.
   * `signedHere`: the caller created and signed `input` in this process a moment ago (createTx), so its
   * signature holds by construction and is not verified again; every other check still runs, and
   * full verification re-checks every signature on chain.
   */
  async submit(input: Tx | WireTx, opts: { signedHere?: boolean } = {}): Promise<string> {
    const tx = this.#admit(decodeInput(input), this.#unseenFresh(input) ? false : undefined);
    const trusted = opts.signedHere === true && isMadeHere(input);
    if (!trusted && !verifyNow(this.#sigCheck(tx)))
      throw new BadSignatureError(`transaction ${tx.id}`, { txId: tx.id });
    if (this.#pending.has(tx.id)) throw new ReplayError(tx.id);
    this.#pending.set(tx.id, tx);
    if (isFresh(input)) this.#submitted.add(input);
    if (this.relay) {
      try {
        await this.relay([tx]);
      } catch (e) {
        this.#dropPending([tx.id]);
        throw e;
      }
    }
    return tx.id;
  }

  /**
   * Submits many transactions, verifying their signatures in parallel; one result per input.
   * `signedHere` as for {@link submit}: every input is a Tx this process created and signed (createTx).
   */
  async submitMany(
    inputs: readonly (Tx | WireTx)[],
    opts: { relay?: boolean; signedHere?: boolean } = {},
  ): Promise<({ id: string } | { error: Error })[]> {
    const decoded = inputs.map((i) => {
      try {
        return decodeInput(i);
      } catch (e) {
        return e as Error;
      }
    });
    // One store lookup for the whole batch instead of one per transaction, fresh ones left out.
    const unseen = inputs.map((i) => this.#unseenFresh(i));
    const stored = this.store.presentTxIds(
      decoded.filter((d, i): d is Tx => !(d instanceof Error) && !unseen[i]).map((t) => t.id),
    );
    const admitted = decoded.map((d, i) => {
      if (d instanceof Error) return d;
      try {
        return this.#admit(d, unseen[i] ? false : stored.has(d.id));
      } catch (e) {
        return e as Error;
      }
    });
    const txs = admitted.filter((a): a is Tx => !(a instanceof Error));
    const trusted = opts.signedHere === true && inputs.every((i) => isMadeHere(i));
    const oks = trusted ? txs.map(() => true) : await verifyAll(txs.map((t) => this.#sigCheck(t)));
    const valid = new Map<string, boolean>(txs.map((t, i) => [t.id, oks[i]!]));
    const seen = new Set<string>();
    const added: Tx[] = [];
    const results = admitted.map((a, i): { id: string } | { error: Error } => {
      if (a instanceof Error) return { error: a };
      if (!valid.get(a.id)) return { error: new BadSignatureError(`transaction ${a.id}`, { txId: a.id }) };
      if (seen.has(a.id) || this.#pending.has(a.id)) return { error: new ReplayError(a.id) };
      seen.add(a.id);
      this.#pending.set(a.id, a);
      const input = inputs[i];
      if (isFresh(input)) this.#submitted.add(input);
      added.push(a);
      return { id: a.id };
    });
    if (this.relay && opts.relay !== false && added.length > 0) {
      try {
        await this.relay(added);
      } catch (e) {
        this.#dropPending(added.map((t) => t.id));
        const failed = new Set(added.map((t) => t.id));
        return results.map((r) => ('id' in r && failed.has(r.id) ? { error: e as Error } : r));
      }
    }
    return results;
  }

  /** The seed's `add_new_data`: signs `data` with the node key and adds it to the pending list. */
  async addData(data: Json): Promise<string> {
    return this.submit(createTx(this.signer, 'data.put', data, { time: this.#now() }));
  }

  /** Assembles up to `maxTxs` pending transactions into the next block, mines, signs and commits it. */
  async mine(opts: MineOptions = {}): Promise<MinedBlock> {
    const state = this.#state;
    const difficulty = opts.difficulty ?? this.minDifficulty;
    const txs: Tx[] = [];
    let bytes = 0;
    for (const tx of this.#pending.values()) {
      if (txs.length >= (opts.maxTxs ?? DEFAULT_MAX_BLOCK_TXS)) break;
      bytes += tx.bodyJson.length + 160; // body, hex signature and JSON framing
      if (bytes > this.maxBlockBytes && txs.length > 0) break;
      if (state.height >= 0 && state.registry.check(tx, state.height + 1)) {
        this.#pending.delete(tx.id); // no longer acceptable (e.g. its signer was revoked since)
        continue;
      }
      txs.push(tx);
    }
    const ids = txs.map((t) => t.idBytes);
    const range = CompactRange.fromFrontier(state.logRange.size, state.logRange.frontier());
    const nodes = [];
    for (const id of ids) for (const n of range.append(id)) nodes.push(n);
    const mined = await this.miner({
      height: state.height + 1,
      prevHash: state.height < 0 ? ZERO_HASH : state.headHash,
      merkleRoot: toHex(merkleRoot(ids)),
      logSize: range.size,
      logRoot: toHex(range.root()),
      time: Math.max(this.#now(), state.headTime),
      difficulty,
      proposer: this.signer.keyId,
      txCount: txs.length,
    });
    const block: WireBlock = {
      header: mined.header,
      hash: mined.hash,
      signature: toHex(signBlockHash(this.signer, mined.hash)),
      txs: txs.map(encodeTx),
    };
    this.#proposing = { hash: block.hash, txs, log: { range, nodes, problems: [] } };
    try {
      await this.#orderer.append(block);
    } finally {
      this.#proposing = undefined;
    }
    for (const tx of txs) this.#pending.delete(tx.id);
    return { block, nonce: mined.nonce, attempts: mined.attempts, elapsedMs: mined.elapsedMs };
  }

  /**
   * Checks an ordered block against the head and commits it with its Merkle nodes and checkpoint.
   * A block this node proposed reuses what admission decoded and verified; any other block (a
   * consortium peer's) is checked in full, signatures included.
   */
  #commit(block: WireBlock): void | Promise<void> {
    const proposing = this.#proposing?.hash === block.hash ? this.#proposing : undefined;
    if (!proposing) return this.#commitRemote(block);
    const local = proposing.txs;
    const { stored, rows } = storedForm(block, headerJson(block.header), local, this.#state.logRange.size);
    // The transactions were decoded from their canonical text at admission and the log extended while
    // the block was built: the check reuses both instead of hashing and parsing every transaction again.
    // Their signatures were verified at admission and the block's is this node's own, so the check
    // collects no signature jobs (full verification runs them).
    const check = checkBlock(this.#state, stored, rows, { known: local, signatures: false });
    this.#apply(block, stored, rows, local, check, proposing.log, []);
  }

  /** Validates a block proposed elsewhere in full (see remote-block.ts), then applies it. */
  async #commitRemote(block: WireBlock): Promise<void> {
    const height = this.#state.height + 1;
    const r = await checkRemoteBlock(this.#state, this.store, block, (id) => this.#pending.get(id));
    if (this.#state.height !== height - 1)
      throw new InvalidBlockError(`block ${height} arrived out of order`);
    this.#apply(block, r.stored, r.rows, r.txs, r.check, r.ext, r.extra);
  }

  /** Writes a checked block, moves the state on and tells the listeners; throws when it has problems. */
  #apply(
    block: WireBlock,
    stored: StoredBlock,
    rows: readonly StoredTx[],
    txs: readonly Tx[],
    check: BlockCheck,
    ext: LogExtension,
    extra: readonly Problem[],
  ): void {
    const state = this.#state;
    const height = stored.height;
    const problems = [...check.problems, ...ext.problems, ...extra];
    if (problems.length > 0) {
      throw new InvalidBlockError(`block ${height} rejected: ${problems.map(formatProblem).join('; ')}`, {
        problems,
      });
    }
    this.store.append({
      block: stored,
      txs: rows,
      nodes: ext.nodes,
      meta: { checkpoint: JSON.stringify({ height, hash: block.hash }) },
    });
    advance(state, check, ext);
    this.#dropPending(txs.map((t) => t.id));
    for (const l of this.#listeners) l(txs, height);
    writeWitness(this.paths, this.signer, {
      height,
      hash: block.hash,
      logSize: block.header.logSize,
      logRoot: block.header.logRoot,
      time: block.header.time,
    });
  }

  /** Admission checks of a decoded transaction; `inStore` when known, else looked up. */
  /** Whether `input` is a fresh transaction not admitted before: no store can hold its id. */
  #unseenFresh(input: Tx | WireTx): boolean {
    return isFresh(input) && !this.#submitted.has(input);
  }

  /** Checks time, replay (the store is searched unless `inStore` is given) and signer rules. */
  #admit(tx: Tx, inStore?: boolean): Tx {
    const now = this.#now();
    if (tx.body.time > now + MAX_TX_SKEW_MS) {
      throw new TxTimeError(
        `transaction time is more than ${MAX_TX_SKEW_MS / 60_000} minutes ahead of the node clock`,
        {
          txId: tx.id,
        },
      );
    }
    if (now - tx.body.time > SUBMIT_WINDOW_MS) {
      throw new TxTimeError(
        `transaction time is more than ${SUBMIT_WINDOW_MS / 60_000} minutes from the node clock`,
        { txId: tx.id },
      );
    }
    if (this.#pending.has(tx.id) || (inStore ?? this.store.presentTxIds([tx.id]).size > 0))
      throw new ReplayError(tx.id);
    const violation = this.#state.registry.check(tx, this.#state.height + 1);
    if (violation?.kind === 'tx-unknown-signer') throw new UnknownSignerError(tx.body.signer);
    if (violation) throw new TxNotPermittedError(violation.detail, { txId: tx.id });
    return tx;
  }

  #sigCheck(tx: Tx): SignatureCheck {
    const key = this.#state.registry.active(tx.body.signer);
    if (!key) throw new UnknownSignerError(tx.body.signer);
    return { publicKey: key.publicKey, message: tx.idBytes, sig: tx.sig };
  }

  /** The seed's `last_block`. */
  lastBlock(): BlockView {
    const head = this.store.head();
    if (!head) throw new BlockNotFoundError('head');
    return this.#view(head);
  }

  /** A block by height or by hash. */
  block(ref: number | string): BlockView {
    const row = typeof ref === 'number' ? this.store.blockByHeight(ref) : this.store.blockByHash(ref);
    if (!row) throw new BlockNotFoundError(ref);
    return this.#view(row);
  }

  tx(id: string): { tx: Tx; height: number; index: number; seq: number } {
    const row = this.store.txById(id);
    if (!row) throw new TxNotFoundError(id);
    const block = this.store.blockByHeight(row.height);
    return {
      tx: decodeTx({ body: row.body, sig: row.sig }),
      height: row.height,
      index: row.seq - (block?.firstSeq ?? 0),
      seq: row.seq,
    };
  }

  /** RFC 9162 inclusion proof of a transaction in the log of the current head, read from stored nodes. */
  inclusionProof(txId: string): InclusionProof {
    return inclusionProof(this.store, txId, this.signer.publicKey);
  }

  /** RFC 9162 consistency proof between two log sizes (0 < size1 ≤ size2 ≤ current size). */
  consistencyProof(size1: number, size2: number): string[] {
    return consistencyProof(this.store, size1, size2, this.logSize);
  }

  /** Verifies the stored chain (from the checkpoint, or fully) including the signed head witness. */
  async verify(
    opts: {
      full?: boolean;
      signatures?: boolean;
      parallel?: boolean;
      onProgress?: (h: number, head: number) => void;
    } = {},
  ): Promise<VerifyReport> {
    const witness = readWitness(this.paths, this.signer.privateKey);
    const report = await verifyChain(this.store, {
      ...opts,
      witness: witness === 'invalid' ? undefined : witness,
    });
    if (witness === 'invalid') {
      const p: Problem = {
        height: report.height,
        kind: 'head-witness',
        detail: 'head.json is not signed by this node',
      };
      return { ...report, ok: false, problems: [...report.problems, p] };
    }
    return report;
  }

  #view(row: StoredBlock): BlockView {
    const header = parseHeader(row.header);
    const txs = this.store.txsBySeq(row.firstSeq, row.firstSeq + header.txCount).map((t) => {
      const b = JSON.parse(t.body) as { type: string; signer: string; time: number };
      return { id: t.id, type: b.type, signer: b.signer, time: b.time };
    });
    const view = { height: row.height, hash: row.hash, header, signature: row.signature, txs };
    return row.certificate === undefined
      ? view
      : { ...view, certificate: JSON.parse(row.certificate) as FinalityCertificate };
  }

  async close(): Promise<void> {
    await this.#orderer.close();
    this.store.close();
  }
}

/** A Tx object is decoded again from its canonical text, so its id, body and text must agree. */
function decodeInput(input: Tx | WireTx): Tx {
  return 'idBytes' in input ? redecodeTx(input) : decodeTx(input);
}
