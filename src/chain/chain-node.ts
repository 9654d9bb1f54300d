/**
 * @module
 * A ledger node's core, composed from the pieces below it: a data directory with its SQLite store and
 * node key, the chain state, the pending list and admission into it (mempool.ts), a block producer that
 * assembles, mines, signs and orders blocks, and a commit path that checks every block against the
 * stored head before it is written. The classic teaching blockchain's operations (add data to the
 * pending list, mine it, the last block, a block by hash) are `addData`, `mine`, `lastBlock` and `block`.
 */
import { mkdirSync } from 'node:fs';
import { headerJson, signBlockHash } from '../core/block.ts';
import type { WireBlock } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import type { Json } from '../core/canonical-json.ts';
import { InvalidBlockError, LedgerExistsError, NotInitializedError } from '../core/errors.ts';
import type { Problem } from '../core/problem.ts';
import { formatProblem, problem } from '../core/problem.ts';
import { createTx, encodeTx } from '../core/tx.ts';
import type { Tx, WireTx } from '../core/tx.ts';
import type { Signer } from '../core/keys.ts';
import { emptyChainState } from '../state-machine/chain-state.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { advance, checkBlock } from '../state-machine/check-block.ts';
import type { BlockCheck, LogExtension } from '../state-machine/check-block.ts';
import type { BlockHandler, Orderer, OrderedHead } from '../ordering/orderer.ts';
import { SoloOrderer } from '../ordering/solo-orderer.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { SqliteStoreOptions } from '../store/sqlite-store.ts';
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
import type { DataPaths, SignedHead } from './data-dir.ts';
import { assembleBlock } from './block-assembly.ts';
import { Mempool } from './mempool.ts';
import type { SubmitResult } from './mempool.ts';
import { blockAt, headView, txAt } from './chain-views.ts';
import type { BlockView } from './chain-views.ts';
import { verifyChain } from './verify-chain.ts';
import { directoryDifference, SqliteDirectory } from './sqlite-directory.ts';
import { syncMiner } from './miner.ts';
import type { Miner } from './miner.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';
import { checkRemoteBlock, storedForm } from './remote-block.ts';
import type { InclusionProof } from './proofs.ts';
import type { VerifyOptions, VerifyReport } from './verify-chain.ts';

/** How far a submitted transaction's time may be from the node's clock. */
export { SUBMIT_WINDOW_MS } from './mempool.ts';
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
  /** SQLite page cache of the store, MiB (default 64). */
  readonly cacheMiB?: number;
  /** Transaction ids buffered before they are merged into the id index (see TxIdIndex). */
  readonly txIdBuffer?: number;
  /** Directory keys kept in memory (default 10,000). */
  readonly keyCache?: number;
  /** Minimum (and default) difficulty in leading zero bits. */
  readonly difficulty?: number;
  readonly chainId?: string;
  readonly now?: () => number;
}

export interface OpenOptions {
  /** SQLite page cache of the store, MiB (default 64). */
  readonly cacheMiB?: number;
  /** Transaction ids buffered before they are merged into the id index (see TxIdIndex). */
  readonly txIdBuffer?: number;
  /** Directory keys kept in memory (default 10,000). */
  readonly keyCache?: number;
  /** How to check the stored chain on open (default: from the checkpoint). */
  readonly verify?: 'checkpoint' | 'full';
  readonly now?: () => number;
  /** The ordering service (default: solo, in process). */
  readonly orderer?: MakeOrderer;
}

export interface MineOptions {
  readonly difficulty?: number;
  readonly maxTxs?: number;
  /** Somebody waits for this block: the miner may use every thread it has (see {@link Miner}). */
  readonly urgent?: boolean;
}

export interface MinedBlock {
  readonly block: WireBlock;
  readonly nonce: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export type { BlockView } from './chain-views.ts';

function storeOptions(opts: { cacheMiB?: number; txIdBuffer?: number }): SqliteStoreOptions {
  return {
    ...(opts.cacheMiB === undefined ? {} : { cacheMiB: opts.cacheMiB }),
    ...(opts.txIdBuffer === undefined ? {} : { txIdBuffer: opts.txIdBuffer }),
  };
}

/** The directory on disk, brought to the store's head (built from the chain the first time). */
function directoryAtHead(store: SqliteStore, opts: { keyCache?: number }): SqliteDirectory {
  const dir = new SqliteDirectory(store, opts.keyCache === undefined ? {} : { cacheEntries: opts.keyCache });
  dir.catchUp(store.head()?.height ?? -1);
  return dir;
}

export class ChainNode {
  readonly paths: DataPaths;
  readonly store: SqliteStore;
  readonly signer: Signer;
  readonly openReport: VerifyReport | undefined;
  readonly #state: ChainState;
  /** The identity directory on disk; `#state.registry` is its registry. */
  readonly #directory: SqliteDirectory;
  #orderer: Orderer;
  /** The pending list and admission into it. */
  readonly mempool: Mempool;
  readonly #now: () => number;
  readonly #listeners: ((txs: readonly Tx[], height: number) => void)[] = [];
  readonly #stateWriters: ((rows: readonly StoredTx[], txs: readonly Tx[], height: number) => void)[] = [];
  readonly #rejectListeners: ((block: WireBlock, error: unknown) => void)[] = [];
  /** See {@link Mempool.relay}. */
  get relay(): ((txs: readonly Tx[]) => Promise<void>) | undefined {
    return this.mempool.relay;
  }

  set relay(fn: ((txs: readonly Tx[]) => Promise<void>) | undefined) {
    this.mempool.relay = fn;
  }
  /** Largest total size of a block's transaction bodies. */
  maxBlockBytes = DEFAULT_MAX_BLOCK_BYTES;
  /** Where proof-of-work runs: this thread by default, a worker thread for servers. */
  miner: Miner = syncMiner;
  /** The head witness of the last block committed, written after the ones before it (see #apply). */
  #witnessWritten: Promise<void> = Promise.resolve();
  /** The block this node is ordering right now, with its already decoded and verified transactions. */
  #proposing: { hash: string; txs: readonly Tx[]; log: LogExtension } | undefined;

  private constructor(
    paths: DataPaths,
    store: SqliteStore,
    signer: Signer,
    state: ChainState,
    directory: SqliteDirectory,
    now: () => number,
    report?: VerifyReport,
  ) {
    this.paths = paths;
    this.store = store;
    this.signer = signer;
    // Whatever registry verification used, the node's own is the one on disk, at the head.
    this.#directory = directory;
    this.#state = { ...state, registry: directory.catchUp(state.height) };
    this.#now = now;
    this.mempool = new Mempool({
      state: this.#state,
      presentTxIds: (ids) => store.presentTxIds(ids),
      noteUnseen: (ids) => {
        store.noteUnseen(ids);
      },
      now,
    });
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
  static async init(dir: string, opts: InitOptions = {}): Promise<ChainNode> {
    const paths = dataPaths(dir);
    if (ledgerExists(dir)) throw new LedgerExistsError(paths.dir);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    removeEmptyStore(paths); // what an interrupted init left, if anything
    const signer = createNodeKey(paths);
    const store = new SqliteStore(paths.db, storeOptions(opts));
    const ledger = new ChainNode(
      paths,
      store,
      signer,
      emptyChainState(),
      directoryAtHead(store, opts),
      opts.now ?? Date.now,
    );
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
    ledger.mempool.addGenesis(genesis);
    await ledger.mine({ difficulty });
    return ledger;
  }

  /** Opens the ledger in `dir`, checking the stored chain from the checkpoint (or fully). */
  static async open(dir: string, opts: OpenOptions = {}): Promise<ChainNode> {
    const paths = dataPaths(dir);
    if (!ledgerExists(dir)) throw new NotInitializedError(paths.dir);
    const signer = loadNodeKey(paths);
    const store = new SqliteStore(paths.db, storeOptions(opts));
    const witness = readWitness(paths, signer.privateKey);
    const directory = directoryAtHead(store, opts);
    const report = await verifyChain(store, {
      full: opts.verify === 'full',
      spanOnly: true,
      witness: witness === 'invalid' ? undefined : witness,
      directoryAt: (h) => directory.registryAt(h),
    });
    const ledger = new ChainNode(paths, store, signer, report.state, directory, opts.now ?? Date.now, report);
    await ledger.#useOrderer(opts.orderer);
    return ledger;
  }

  /**
   * Opens a consortium member's ledger in `dir`, whose node key was created beforehand (see
   * `consortium init`): on first start the store begins with the consortium's `genesis` block,
   * validated like any other block; later starts open the store (which must hold that genesis).
   */
  static async join(dir: string, genesis: WireBlock, opts: OpenOptions = {}): Promise<ChainNode> {
    const paths = dataPaths(dir);
    if (ledgerExists(dir)) {
      const ledger = await ChainNode.open(dir, opts);
      if (ledger.store.blockByHeight(0)?.hash !== genesis.hash) {
        await ledger.close();
        throw new InvalidBlockError(`${paths.dir} holds another chain than this genesis`);
      }
      return ledger;
    }
    if (!keyExists(paths)) throw new NotInitializedError(paths.dir);
    removeEmptyStore(paths);
    const store = new SqliteStore(paths.db, storeOptions(opts));
    const ledger = new ChainNode(
      paths,
      store,
      loadNodeKey(paths),
      emptyChainState(),
      directoryAtHead(store, opts),
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

  static async openOrInit(dir: string, opts: InitOptions & OpenOptions = {}): Promise<ChainNode> {
    return ledgerExists(dir) ? ChainNode.open(dir, opts) : ChainNode.init(dir, opts);
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

  /**
   * Calls `fn` for every block committed from now on, inside the store transaction that writes it
   * (`rows[i]` is `txs[i]` as stored): state kept in the ledger's database commits with its block or
   * not at all. `fn` must not await; a throw rejects the block.
   */
  onAppend(fn: (rows: readonly StoredTx[], txs: readonly Tx[], height: number) => void): void {
    this.#stateWriters.push(fn);
  }

  /** Calls `fn` with the transactions of every block committed from now on (after it is durable). */
  onCommit(fn: (txs: readonly Tx[], height: number) => void): void {
    this.#listeners.push(fn);
  }

  /** Calls `fn` for every ordered block this node rejected as invalid (it is not applied). */
  onReject(fn: (block: WireBlock, error: unknown) => void): void {
    this.#rejectListeners.push(fn);
  }

  /** The identity directory as of the last committed block. */
  get directory(): ChainState['registry'] {
    return this.#state.registry;
  }

  /** Directory keys held in memory now, and at most. */
  get directoryCache(): { used: number; capacity: number } {
    return this.#directory.cache;
  }

  /** Whether an organization has joined (as of the last committed block). */
  hasOrg(org: string): boolean {
    return this.#state.registry.org(org) !== undefined;
  }

  isPending(txId: string): boolean {
    return this.mempool.has(txId);
  }

  /** Ids of the pending transactions. */
  pendingIds(): string[] {
    return this.mempool.ids();
  }

  get pendingCount(): number {
    return this.mempool.size;
  }

  get logSize(): number {
    return this.#state.logRange.size;
  }

  /** See {@link Mempool.submit}. */
  submit(input: Tx | WireTx, opts: { signedHere?: boolean } = {}): Promise<string> {
    return this.mempool.submit(input, opts);
  }

  /** See {@link Mempool.submitMany}. */
  submitMany(
    inputs: readonly (Tx | WireTx)[],
    opts: { relay?: boolean; signedHere?: boolean } = {},
  ): Promise<SubmitResult[]> {
    return this.mempool.submitMany(inputs, opts);
  }

  /** Signs `data` with the node key and adds it to the pending list (mined by the next block). */
  async addData(data: Json): Promise<string> {
    return this.submit(createTx(this.signer, 'data.put', data, { time: this.#now() }));
  }

  /** Assembles up to `maxTxs` pending transactions into the next block, mines, signs and commits it. */
  async mine(opts: MineOptions = {}): Promise<MinedBlock> {
    const { txs, header, log, stale } = assembleBlock(this.#state, this.mempool.values(), {
      maxTxs: opts.maxTxs ?? DEFAULT_MAX_BLOCK_TXS,
      maxBytes: this.maxBlockBytes,
      difficulty: opts.difficulty ?? this.minDifficulty,
      proposer: this.signer.keyId,
      now: this.#now(),
    });
    this.mempool.drop(stale);
    const mined = await this.miner(header, { urgent: opts.urgent === true });
    const block: WireBlock = {
      header: mined.header,
      hash: mined.hash,
      signature: toHex(signBlockHash(this.signer, mined.hash)),
      txs: txs.map(encodeTx),
    };
    this.#proposing = { hash: block.hash, txs, log };
    try {
      await this.#orderer.append(block);
    } finally {
      this.#proposing = undefined;
    }
    this.mempool.drop(txs.map((t) => t.id));
    await this.#witnessWritten;
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
    const r = await checkRemoteBlock(this.#state, this.store, block, (id) => this.mempool.get(id));
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
    try {
      this.store.append(
        {
          block: stored,
          txs: rows,
          nodes: ext.nodes,
          meta: { checkpoint: JSON.stringify({ height, hash: block.hash }) },
        },
        () => {
          this.#directory.apply(check.txs, height);
          for (const w of this.#stateWriters) w(rows, txs, height);
        },
      );
    } catch (e) {
      state.registry = this.#directory.reload(); // what the rolled-back block left in memory
      throw e;
    }
    advance(state, check, ext, { directory: false });
    this.mempool.drop(txs.map((t) => t.id));
    for (const l of this.#listeners) l(txs, height);
    // The witness follows the store (never ahead of it): a crash before it is written leaves it at the
    // previous head, which the store still holds. Written off the event loop, after the one before;
    // mine() waits for it, close() and verify() too, and a failure reaches whoever awaits it.
    const head: SignedHead = {
      height,
      hash: block.hash,
      logSize: block.header.logSize,
      logRoot: block.header.logRoot,
      time: block.header.time,
    };
    const written = this.#witnessWritten
      .catch(() => undefined)
      .then(() => writeWitness(this.paths, this.signer, head));
    written.catch(() => undefined); // a block committed from elsewhere has nobody awaiting its witness
    this.#witnessWritten = written;
  }

  /** The head block. */
  lastBlock(): BlockView {
    return headView(this.store);
  }

  /** A block by height or by hash. */
  block(ref: number | string): BlockView {
    return blockAt(this.store, ref);
  }

  tx(id: string): { tx: Tx; height: number; index: number; seq: number } {
    return txAt(this.store, id);
  }

  /** RFC 9162 inclusion proof of a transaction in the log of the current head, read from stored nodes. */
  inclusionProof(txId: string): InclusionProof {
    return inclusionProof(this.store, txId, this.signer.publicKey);
  }

  /** RFC 9162 consistency proof between two log sizes (0 < size1 ≤ size2 ≤ current size). */
  consistencyProof(size1: number, size2: number): string[] {
    return consistencyProof(this.store, size1, size2, this.logSize);
  }

  /**
   * Verifies the stored chain (from the checkpoint, or fully) including the signed head witness; from
   * genesis, also that the directory on disk equals the one replayed from the chain.
   */
  async verify(opts: Omit<VerifyOptions, 'witness'> = {}): Promise<VerifyReport> {
    await this.#witnessWritten.catch(() => undefined);
    const witness = readWitness(this.paths, this.signer.privateKey);
    const report = await verifyChain(this.store, {
      ...opts,
      witness: witness === 'invalid' ? undefined : witness,
      directoryAt: (h) => this.#directory.registryAt(h),
    });
    const more: Problem[] = [];
    const differs =
      report.verifiedFrom === 0 && report.state.height === this.#state.height
        ? directoryDifference(this.#state.registry, report.state.registry)
        : undefined;
    if (differs) more.push(problem(report.height, 'directory', differs));
    if (witness === 'invalid')
      more.push(problem(report.height, 'head-witness', 'head.json is not signed by this node'));
    return more.length === 0 ? report : { ...report, ok: false, problems: [...report.problems, ...more] };
  }

  async close(): Promise<void> {
    await this.#orderer.close();
    await this.#witnessWritten.catch(() => undefined);
    this.store.close();
  }
}
