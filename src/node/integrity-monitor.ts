/**
 * @module
 * The live integrity monitor. Every block is checked against the head before it is committed (the
 * commit path); on top of that the monitor re-verifies the whole stored chain (hash-only: links,
 * hashes, proof-of-work, Merkle and log roots, ids — signatures were checked at admission) and the
 * vault (every ciphertext against its hash on chain) on a timer, and fully with signatures on demand.
 * A problem flips the node to `compromised` until a later run finds none; listeners hear each change.
 */
import type { Problem } from '../core/problem.ts';
import type { MedicalNode } from './medical-node.ts';
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
    { readonly at: number; readonly elapsedMs: number; readonly signatures: boolean } | undefined;
  readonly runs: number;
}

export interface MonitorOptions {
  /** Pause between background runs (default 5 s); the pause grows to twice a slow run's time. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class IntegrityMonitor {
  readonly #node: MedicalNode;
  readonly #intervalMs: number;
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
  #stopped = true;

  constructor(node: MedicalNode, opts: MonitorOptions = {}) {
    this.#node = node;
    this.#intervalMs = opts.intervalMs ?? 5000;
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

  /** One verification run (joins a run in progress); `signatures` re-checks every signature too. */
  run(opts: { signatures?: boolean } = {}): Promise<IntegrityStatus> {
    if (this.#running) return this.#running;
    this.#running = this.#verify(opts.signatures ?? false).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #verify(signatures: boolean): Promise<IntegrityStatus> {
    const started = this.#now();
    const t0 = performance.now();
    const height = this.#node.ledger.height;
    const chain = await this.#node.ledger.verify({ full: true, signatures });
    const vault = await this.#node.verifyVaultInSlices();
    const problems = [...chain.problems, ...vault.problems];
    const state: IntegrityState = problems.length === 0 ? 'ok' : 'compromised';
    const previous = this.#status.state;
    this.#status = {
      state,
      height,
      verifiedHeight: state === 'ok' ? chain.height : this.#status.verifiedHeight,
      problems,
      lastRun: { at: started, elapsedMs: performance.now() - t0, signatures },
      runs: this.#status.runs + 1,
    };
    if (state !== previous) for (const fn of this.#listeners) fn(this.#status);
    return this.#status;
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
