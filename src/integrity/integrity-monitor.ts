/**
 * @module
 * The live integrity monitor. Every block is checked against the head before it is committed (the
 * commit path); on top of that the monitor re-checks the stored chain and the vault (every ciphertext
 * against its hash on chain) on a timer, and fully with signatures on demand.
 *
 * A background run costs the same however long the chain is: it sweeps a window of at most
 * `sweepTxs` transactions and `sweepRecords` records, going on where the last run stopped and
 * starting over at genesis after the head, so the whole chain and vault are re-checked every
 * (length ÷ window) runs. In a window, blocks whose stored rows still have the digests a clean check
 * saw (stored-digests.ts: a hash per stored row) are not verified again; the others — new blocks,
 * blocks not seen since start, and changed ones — are verified (hash-only: links, hashes,
 * proof-of-work, Merkle and log roots, ids; signatures were checked at admission), which names the
 * exact location of an edit. A window that reaches the head is verified with the head checks too
 * (transaction count, signed head witness). The digests, the blocks and the ciphertexts are read in
 * the monitor's thread (monitor-thread.ts), not the one answering requests. A full run (from genesis,
 * every block and record) runs on demand, and every `fullEveryMs` if set. A problem stays reported
 * until its block or record is checked again and found clean; listeners hear each change of state.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import { declaredTxCount } from '../core/block.ts';
import type { Problem } from '../core/problem.ts';
import { problem } from '../core/problem.ts';
import type { MedicalNode } from '../medical/medical-node.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { blocksInThread, digestsInThread, monitorThreadUp } from './monitor-thread.ts';
import { BlockDigests } from './block-digests.ts';
import { DIGEST_BYTES, storedDigests } from '../chain/stored-digests.ts';
import type { VaultProblem } from '../medical/vault-check.ts';
import { monitorVaultPass } from './vault-pass.ts';
import { stateCheckInBackground, vaultCheckInBackground } from './node-checks.ts';
import { verifyStoredRange } from '../chain/verify-range.ts';

export type IntegrityState = 'starting' | 'ok' | 'compromised';

export interface IntegrityStatus {
  readonly state: IntegrityState;
  /** Height of the head when the last run started. */
  readonly height: number;
  /** Highest height the last clean run verified; −1 before the first. */
  readonly verifiedHeight: number;
  readonly problems: readonly (Problem | VaultProblem)[];
  readonly lastRun:
    | {
        readonly at: number;
        readonly elapsedMs: number;
        readonly signatures: boolean;
        /** A full run (from genesis), or a sweep of one window. */
        readonly full: boolean;
        /** The blocks a sweep checked (digests or verification), and the records of its vault check. */
        readonly sweep?: { readonly from: number; readonly to: number; readonly records: number };
      }
    | undefined;
  readonly runs: number;
}

/** 2^20 blocks: 32 MiB, a year of blocks every 30 s; past it, blocks are verified again instead. */
export const DEFAULT_DIGEST_HEIGHTS = 2 ** 20;

/** Event-loop use above which the node counts as busy serving requests. */
export const BUSY_UTILIZATION = 0.5;
/** Under load, background runs still come at least this often: the sweep always goes on. */
export const MAX_BUSY_PAUSE_MS = 60_000;

/**
 * The pause before the next background run: `intervalMs`, at least twice the last run's time, and six
 * times that (up to a minute) while the event loop was busy more than half the time, so that the
 * monitor's reads, cold on a long chain, give way to requests.
 */
export function pauseAfter(intervalMs: number, lastRunMs: number, utilization: number): number {
  const base = Math.max(intervalMs, 2 * lastRunMs);
  return utilization > BUSY_UTILIZATION ? Math.max(base, Math.min(MAX_BUSY_PAUSE_MS, 6 * base)) : base;
}

/**
 * The next step of a pause, judged on the load seen during it rather than before it: after `waitedMs`
 * of pause, the last `stepMs` of which kept the event loop at `utilization`, 'run' once the step was
 * quiet or the busy pause is over, else how long to wait on (one more step at most).
 */
export function pauseStep(
  intervalMs: number,
  lastRunMs: number,
  waitedMs: number,
  utilization: number,
): number | 'run' {
  const pause = pauseAfter(intervalMs, lastRunMs, utilization);
  if (waitedMs >= pause) return 'run';
  return Math.min(pauseAfter(intervalMs, lastRunMs, 0), pause - waitedMs);
}

export interface MonitorOptions {
  /** Pause between background runs (default 5 s); the pause grows to twice a slow run's time. */
  readonly intervalMs?: number;
  /** Longest time between two full runs (default: none, the sweep covers everything); 0: every run full. */
  readonly fullEveryMs?: number;
  /** Transactions a background run checks at most (default 20,000). */
  readonly sweepTxs?: number;
  /** Records whose ciphertexts a background run checks at most (default 5,000). */
  readonly sweepRecords?: number;
  /** Blocks whose digests are remembered at most (default {@link DEFAULT_DIGEST_HEIGHTS}). */
  readonly digestHeights?: number;
  readonly now?: () => number;
  /** The event loop's use since a mark (tests stand in a load). */
  readonly utilization?: (since: EventLoopUtilization) => number;
}

export class IntegrityMonitor {
  readonly #node: MedicalNode;
  readonly #intervalMs: number;
  readonly #fullEveryMs: number;
  readonly #now: () => number;
  readonly #listeners: ((s: IntegrityStatus) => void)[] = [];
  #status: IntegrityStatus = {
    state: 'starting',
    height: -1,
    verifiedHeight: -1,
    problems: [],
    lastRun: undefined,
    runs: 0,
  };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<IntegrityStatus> | undefined;
  readonly #sweepTxs: number;
  readonly #sweepRecords: number;
  /** Digest of each block as the last clean check of it read it (see stored-digests.ts). */
  readonly #digests: BlockDigests;
  /** Next block, and log position after the last record, the sweep goes on from. */
  #nextBlock = 0;
  #nextRecord = -1;
  /** What the last check of each block (by height) and record (by id) found. */
  readonly #chainProblems = new Map<number, Problem[]>();
  readonly #vaultProblems = new Map<string, VaultProblem>();
  #fullAt: number | undefined;
  /** The event loop's use when the current step of the pause began (how busy serving kept the node since). */
  #elu = performance.eventLoopUtilization();
  readonly #utilization: (since: EventLoopUtilization) => number;
  #stopped = true;
  /** Counts stop()s: a run in flight when the monitor was stopped (and started again) schedules nothing. */
  #generation = 0;

  constructor(node: MedicalNode, opts: MonitorOptions = {}) {
    this.#node = node;
    this.#intervalMs = opts.intervalMs ?? 5000;
    this.#fullEveryMs = opts.fullEveryMs ?? Infinity;
    // Sized so that a run's reads, cold on a long chain, cost a serving node a few per cent.
    this.#sweepTxs = opts.sweepTxs ?? 20_000;
    this.#sweepRecords = opts.sweepRecords ?? 5_000;
    this.#digests = new BlockDigests(opts.digestHeights ?? DEFAULT_DIGEST_HEIGHTS);
    this.#now = opts.now ?? Date.now;
    this.#utilization = opts.utilization ?? ((since) => performance.eventLoopUtilization(since).utilization);
  }

  get status(): IntegrityStatus {
    return this.#status;
  }

  /** Calls `fn` whenever the state changes (ok ↔ compromised). */
  onChange(fn: (s: IntegrityStatus) => void): void {
    this.#listeners.push(fn);
  }

  /** Runs once now, then on the timer until `stop()`. */
  async start(): Promise<IntegrityStatus> {
    this.#stopped = false;
    const generation = this.#generation;
    const s = await this.run();
    if (generation === this.#generation) this.#schedule();
    return s;
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * One verification run: full when asked, when `signatures` re-checks every signature too, or when the
   * last full run is older than `fullEveryMs`; a sweep otherwise. A plain run joins one in progress; a
   * full or signature run asked meanwhile starts once it ends.
   */
  run(opts: { signatures?: boolean; full?: boolean } = {}): Promise<IntegrityStatus> {
    const signatures = opts.signatures ?? false;
    if (this.#running) {
      if (!signatures && opts.full !== true) return this.#running;
      const again = (): Promise<IntegrityStatus> => this.run(opts);
      return this.#running.then(again, again);
    }
    // With `fullEveryMs` set, the first run is full too; by default only sweeps run in the background.
    const due =
      Number.isFinite(this.#fullEveryMs) && this.#now() - (this.#fullAt ?? -Infinity) >= this.#fullEveryMs;
    const full = opts.full === true || signatures || due;
    this.#running = this.#verify(signatures, full).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #verify(signatures: boolean, full: boolean): Promise<IntegrityStatus> {
    const started = this.#now();
    const t0 = performance.now();
    const height = this.#node.ledger.height;
    let sweep: { from: number; to: number; records: number } | undefined;
    if (full) {
      await this.#full(signatures, height);
      this.#fullAt = started;
    } else sweep = await this.#sweep(height);
    const problems = [...[...this.#chainProblems.values()].flat(), ...this.#vaultProblems.values()];
    const state: IntegrityState = problems.length === 0 ? 'ok' : 'compromised';
    const previous = this.#status.state;
    this.#status = {
      state,
      height,
      verifiedHeight: state === 'ok' ? height : this.#status.verifiedHeight,
      problems,
      lastRun: {
        at: started,
        elapsedMs: performance.now() - t0,
        signatures,
        full,
        ...(sweep ? { sweep } : {}),
      },
      runs: this.#status.runs + 1,
    };
    if (state !== previous) for (const fn of this.#listeners) fn(this.#status);
    return this.#status;
  }

  /** Every block from genesis (and every signature when asked) and every record. */
  async #full(signatures: boolean, height: number): Promise<void> {
    const ledger = this.#node.ledger;
    const digests = await this.#digestsOf(0, height);
    const chain = await ledger.verify({ full: true, signatures, parallel: true, background: blocksInThread });
    this.#chainProblems.clear();
    for (const p of chain.problems)
      this.#chainProblems.set(p.height, [...(this.#chainProblems.get(p.height) ?? []), p]);
    this.#digests.clear();
    if (chain.problems.length === 0) this.#keepDigests(0, Math.min(height, chain.height), digests);
    const vault = await vaultCheckInBackground(this.#node);
    const state = await stateCheckInBackground(this.#node);
    this.#vaultProblems.clear();
    for (const p of vault.problems) this.#vaultProblems.set(p.record, p);
    if (state) this.#vaultProblems.set('', { record: '', kind: 'medical-state', ...state });
    this.#nextBlock = 0;
    this.#nextRecord = -1;
  }

  /** One window of blocks and one of records, from where the last sweep stopped. */
  async #sweep(height: number): Promise<{ from: number; to: number; records: number }> {
    // Blocks above the head that a check saw: the chain lost blocks (the head witness names it).
    const removed = this.#digests.top > height;
    if (this.#nextBlock > height || removed) this.#nextBlock = 0;
    const from = removed ? Math.max(0, height) : this.#nextBlock;
    const to = removed ? height : this.#windowEnd(from, height);
    if (height >= 0) await this.#checkBlocks(from, to, height);
    if (removed) this.#digests.forgetAbove(height);
    this.#nextBlock = to + 1;
    const records = await this.#checkRecords();
    return { from, to, records };
  }

  /** The last block of a window from `from` holding at most `sweepTxs` transactions (at least one block). */
  #windowEnd(from: number, height: number): number {
    const store = this.#node.ledger.store;
    const start = store.blockByHeight(from)?.firstSeq ?? 0;
    // The log's end after block `height` from its header: counting the stored rows reads them all.
    const last = store.blockByHeight(height);
    const end = last ? last.firstSeq + declaredTxCount(last.header) : 0;
    let lo = from;
    let hi = height;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const next = mid + 1 > height ? end : (store.blockByHeight(mid + 1)?.firstSeq ?? end);
      if (next - start <= this.#sweepTxs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Blocks from..to: the digests are read; unless every block has the digest a clean check saw, the
   * window is verified (with the head checks when it reaches the head) and its problems replace the
   * ones found there before.
   */
  async #checkBlocks(from: number, to: number, height: number): Promise<void> {
    const ledger = this.#node.ledger;
    const digests = await this.#digestsOf(from, to);
    let same = true;
    for (let h = from; h <= to && same; h++) {
      const seen = this.#digests.get(h);
      const now = digests.subarray((h - from) * DIGEST_BYTES, (h - from + 1) * DIGEST_BYTES);
      same = seen !== undefined && Buffer.compare(seen, now) === 0;
    }
    if (same && to < height) {
      for (let h = from; h <= to; h++) this.#chainProblems.delete(h);
      return;
    }
    let problems: readonly Problem[];
    if (to === height) {
      const prev = from === 0 ? undefined : ledger.store.blockByHeight(from - 1);
      const r = await ledger.verify({
        full: from === 0,
        parallel: false,
        background: blocksInThread,
        spanOnly: true,
        ...(prev ? { from: { height: from - 1, hash: prev.hash } } : {}),
      });
      problems = r.problems;
    } else problems = await this.#verifyRange(from, to);
    for (let h = from; h <= to; h++) this.#chainProblems.delete(h);
    for (const p of problems)
      this.#chainProblems.set(p.height, [...(this.#chainProblems.get(p.height) ?? []), p]);
    if (problems.length === 0) this.#keepDigests(from, to, digests);
  }

  /** The hash-only check of blocks from..to (below the head), in the monitor's thread when it is up. */
  async #verifyRange(from: number, to: number): Promise<readonly Problem[]> {
    const store = this.#node.ledger.store;
    const startHash = store.blockByHeight(from - 1)?.hash ?? '';
    const inThread =
      store instanceof SqliteStore && monitorThreadUp()
        ? await blocksInThread(store.path, from, to, startHash)
        : undefined;
    if (inThread) return inThread.problems;
    const r = await verifyStoredRange(store, from, to, startHash, false);
    return 'unusable' in r ? [problem(from, 'checkpoint', r.unusable)] : r.problems;
  }

  /** The vault check of the next `sweepRecords` records; returns how many were checked. */
  async #checkRecords(): Promise<number> {
    const rows = this.#node.state.recordsAfter(this.#nextRecord, this.#sweepRecords);
    const window = new Map(rows.map((r) => [r.entry.id, r.entry]));
    const report = await monitorVaultPass(window, this.#node.vault, () => this.#node.replicating());
    for (const id of window.keys()) this.#vaultProblems.delete(id);
    for (const p of report.problems) this.#vaultProblems.set(p.record, p);
    this.#nextRecord = rows.length < this.#sweepRecords ? -1 : rows.at(-1)!.seq;
    return rows.length;
  }

  async #digestsOf(from: number, to: number): Promise<Uint8Array> {
    const store = this.#node.ledger.store;
    if (to < from) return new Uint8Array(0);
    return store instanceof SqliteStore && monitorThreadUp()
      ? await digestsInThread(store.path, to, from)
      : await storedDigests(store, from, to);
  }

  #keepDigests(from: number, to: number, digests: Uint8Array): void {
    this.#digests.setRange(from, digests.subarray(0, (to - from + 1) * DIGEST_BYTES));
  }

  #schedule(): void {
    if (this.#stopped) return;
    const last = this.#status.lastRun?.elapsedMs ?? 0;
    this.#wait(pauseAfter(this.#intervalMs, last, 0), 0, last);
  }

  /** One step of the pause; at its end, the load seen during it says whether to run or wait on. */
  #wait(stepMs: number, waitedMs: number, lastRunMs: number): void {
    this.#elu = performance.eventLoopUtilization();
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      const waited = waitedMs + stepMs;
      const step = pauseStep(this.#intervalMs, lastRunMs, waited, this.#utilization(this.#elu));
      if (step !== 'run') {
        this.#wait(step, waited, lastRunMs);
        return;
      }
      const generation = this.#generation;
      const next = (): void => {
        if (generation === this.#generation) this.#schedule();
      };
      this.run().then(next, next);
    }, stepMs);
    this.#timer.unref();
  }
}
