/**
 * @module
 * The live integrity monitor. Every block is checked against the head before it is committed (the
 * commit path); on top of that the monitor checks the whole stored chain and the vault (every
 * ciphertext against its hash on chain) on a timer, and fully with signatures on demand.
 *
 * A full run re-verifies the chain from genesis (hash-only: links, hashes, proof-of-work, Merkle and
 * log roots, ids — signatures were checked at admission). It runs at the first run, at least every
 * `fullEveryMs`, on demand, and whenever a quick run finds a stored block changed. Between them, a
 * quick run compares a digest of every stored block row and transaction row (stored-digests.ts) with
 * the digests a clean run saw, and verifies only the blocks added since, from the last verified one:
 * the same edits are caught (any changed byte of a verified row changes its block's digest; the full
 * run that follows names the exact location), at ≈ a third of the CPU and without worker start-ups.
 * The digests are taken before the blocks are verified and kept only when the run is clean, so a row
 * edited in between is never taken for verified. The digests, the new blocks and the vault's
 * ciphertexts are read in the monitor's thread (monitor-thread.ts), not the one answering requests.
 * A problem flips the node to `compromised` until a later run finds none; listeners hear each change.
 */
import type { Problem } from '../core/problem.ts';
import type { MedicalNode } from './medical-node.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { digestsInThread, monitorThreadUp } from './monitor-thread.ts';
import { changedHeights, DIGEST_BYTES, storedDigests } from './stored-digests.ts';
import type { Checkpoint } from './verify-chain.ts';
import type { VaultProblem } from './vault-check.ts';

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
        /** A full run (from genesis), or a quick one (stored digests + the new blocks). */
        readonly full: boolean;
      }
    | undefined;
  readonly runs: number;
}

export interface MonitorOptions {
  /** Pause between background runs (default 5 s); the pause grows to twice a slow run's time. */
  readonly intervalMs?: number;
  /** Longest time between two full runs (default 60 s); 0 makes every run full. */
  readonly fullEveryMs?: number;
  readonly now?: () => number;
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
  /** Digests of blocks 0..n−1 as the last clean run read them, and when the last full run started. */
  #verified: { digests: Uint8Array; fullAt: number } | undefined;
  #stopped = true;

  constructor(node: MedicalNode, opts: MonitorOptions = {}) {
    this.#node = node;
    this.#intervalMs = opts.intervalMs ?? 5000;
    this.#fullEveryMs = opts.fullEveryMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
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
    const s = await this.run();
    this.#schedule();
    return s;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * One verification run: full when asked, when `signatures` re-checks every signature too, or when the
   * last full run is older than `fullEveryMs`; quick otherwise. A plain run joins one in progress; a
   * full or signature run asked meanwhile starts once it ends.
   */
  run(opts: { signatures?: boolean; full?: boolean } = {}): Promise<IntegrityStatus> {
    const signatures = opts.signatures ?? false;
    if (this.#running) {
      if (!signatures && opts.full !== true) return this.#running;
      const again = (): Promise<IntegrityStatus> => this.run(opts);
      return this.#running.then(again, again);
    }
    const v = this.#verified;
    const full =
      opts.full === true || signatures || v === undefined || this.#now() - v.fullAt >= this.#fullEveryMs;
    this.#running = this.#verify(signatures, full).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #verify(signatures: boolean, fullAsked: boolean): Promise<IntegrityStatus> {
    const started = this.#now();
    const t0 = performance.now();
    const ledger = this.#node.ledger;
    const height = ledger.height;
    // In the monitor's thread once it is up (the main thread answers requests); here, in slices, until then.
    const store = ledger.store;
    const digests =
      store instanceof SqliteStore && monitorThreadUp()
        ? await digestsInThread(store.path, height)
        : await storedDigests(store, 0, height);
    const from = fullAsked ? undefined : this.#unchangedUpTo(digests);
    const full = from === undefined;
    // A quick run has a few seconds of new blocks: checked in the monitor's thread (or here, in
    // slices), cheaper than starting workers; a long full run is split over worker threads.
    const chain = await ledger.verify({
      full,
      signatures,
      parallel: full,
      background: true,
      ...(from ? { from } : {}),
    });
    const vault = await this.#node.verifyVaultInBackground();
    const problems = [...chain.problems, ...vault.problems];
    const state: IntegrityState = problems.length === 0 ? 'ok' : 'compromised';
    if (state === 'ok') {
      const upTo = Math.min(height, chain.height) + 1;
      this.#verified = {
        digests: digests.subarray(0, upTo * DIGEST_BYTES),
        fullAt: full ? started : (this.#verified?.fullAt ?? started),
      };
    }
    const previous = this.#status.state;
    this.#status = {
      state,
      height,
      verifiedHeight: state === 'ok' ? chain.height : this.#status.verifiedHeight,
      problems,
      lastRun: { at: started, elapsedMs: performance.now() - t0, signatures, full },
      runs: this.#status.runs + 1,
    };
    if (state !== previous) for (const fn of this.#listeners) fn(this.#status);
    return this.#status;
  }

  /**
   * The last block of the last clean run, when every block it verified still has the digest it had
   * then (and the chain is not shorter); undefined calls for a full run.
   */
  #unchangedUpTo(digests: Uint8Array): Checkpoint | undefined {
    const v = this.#verified;
    if (!v || v.digests.length === 0 || digests.length < v.digests.length) return undefined;
    if (changedHeights(v.digests, digests).length > 0) return undefined;
    const height = v.digests.length / DIGEST_BYTES - 1;
    const row = this.#node.ledger.store.blockByHeight(height);
    return row ? { height, hash: row.hash } : undefined;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const last = this.#status.lastRun?.elapsedMs ?? 0;
    this.#timer = setTimeout(
      () => {
        this.run().then(
          () => {
            this.#schedule();
          },
          () => {
            this.#schedule();
          },
        );
      },
      Math.max(this.#intervalMs, 2 * last),
    );
    this.#timer.unref();
  }
}
