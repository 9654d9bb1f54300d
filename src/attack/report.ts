/**
 * @module
 * The attack lab's entry point: `runAttackLab` runs the selected scenarios (mining, rewrite,
 * bruteforce, forgery, tamper) with quick or full parameters against a data directory (snapshots
 * only; fresh chains when it holds none) and returns one report `{version, date, machine, scenarios}`.
 * Quick parameters keep a run of everything to a few seconds; full ones measure further before
 * extrapolating. Reports of single scenarios merge into the saved one (report-files.ts).
 */
import { availableParallelism, cpus } from 'node:os';
import { ArgumentValueError } from '../core/errors.ts';
import { runBruteforce } from './bruteforce.ts';
import type { BruteforceOptions, BruteforceResult } from './bruteforce.ts';
import { runForgery } from './forgery.ts';
import type { ForgeryOptions, ForgeryResult } from './forgery.ts';
import { runMining } from './mining.ts';
import type { MiningOptions, MiningResult } from './mining.ts';
import { runRewrite } from './rewrite.ts';
import type { RewriteResult, RewriteScenarioOptions } from './rewrite.ts';
import { runTamper } from './tamper.ts';
import type { TamperOptions, TamperResult } from './tamper.ts';

export const SCENARIOS = ['mining', 'rewrite', 'bruteforce', 'forgery', 'tamper'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const REPORT_VERSION = 1;

export interface ScenarioResults {
  readonly mining?: MiningResult;
  readonly rewrite?: RewriteResult;
  readonly bruteforce?: BruteforceResult;
  readonly forgery?: ForgeryResult;
  readonly tamper?: TamperResult;
}

export interface ScenarioRun {
  readonly date: string;
  readonly quick: boolean;
  readonly elapsedMs: number;
}

export interface AttackReport {
  readonly version: typeof REPORT_VERSION;
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly model: string | undefined;
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
  };
  readonly scenarios: ScenarioResults;
  /** When and how each scenario in the report was last run. */
  readonly runs: Partial<Record<ScenarioName, ScenarioRun>>;
}

export interface ScenarioParams {
  readonly mining: MiningOptions;
  readonly rewrite: RewriteScenarioOptions;
  readonly bruteforce: BruteforceOptions;
  readonly forgery: ForgeryOptions;
  readonly tamper: TamperOptions;
}

export interface LabOptions {
  readonly scenarios: readonly ScenarioName[];
  readonly quick?: boolean;
  /** The data directory attacked (through snapshots) and whose scrypt cost is measured. */
  readonly dataDir?: string | undefined;
  /** Attack fresh chains even when `dataDir` holds a ledger. */
  readonly fresh?: boolean;
  /** Per-scenario parameters over the quick or full defaults (tests use tiny ones). */
  readonly params?: { readonly [K in ScenarioName]?: Partial<ScenarioParams[K]> };
  /** Progress lines (never PHI). */
  readonly log?: (line: string) => void;
}

export function labParams(quick: boolean): ScenarioParams {
  return quick
    ? {
        mining: { maxMeasuredDifficulty: 12, budgetMs: 100, runs: 5, rateAttempts: 100_000 },
        rewrite: {
          depth: 3,
          freshBlocks: 6,
          freshDifficulty: 8,
          gridDifficulties: [0, 4, 8],
          gridDepths: [1, 2, 4],
          budgetMs: 100,
          rateAttempts: 100_000,
        },
        bruteforce: { passwordGuesses: 3, parallelGuesses: 4, tokenGuesses: 2000 },
        forgery: { bitFlips: 8, verifies: 1000 },
        tamper: { intervalMs: 200, timeoutMs: 10_000, freshBlocks: 4, freshDifficulty: 4 },
      }
    : {
        mining: { maxMeasuredDifficulty: 20, budgetMs: 3000, runs: 9, rateAttempts: 2_000_000 },
        rewrite: {
          depth: 8,
          freshBlocks: 12,
          freshDifficulty: 12,
          gridDifficulties: [0, 4, 8, 12, 16],
          gridDepths: [1, 2, 4, 8],
          budgetMs: 3000,
          rateAttempts: 1_000_000,
        },
        bruteforce: {
          passwordGuesses: 20,
          parallelGuesses: 4 * availableParallelism(),
          tokenGuesses: 50_000,
        },
        forgery: { bitFlips: 64, verifies: 10_000 },
        tamper: { intervalMs: 1000, timeoutMs: 15_000 },
      };
}

/** Parses a CLI or API scenario list: names, or `all`. */
export function parseScenarios(names: readonly string[]): ScenarioName[] {
  if (names.includes('all')) return [...SCENARIOS];
  const out: ScenarioName[] = [];
  for (const n of names) {
    if (!(SCENARIOS as readonly string[]).includes(n))
      throw new ArgumentValueError(
        'scenario',
        `got ${JSON.stringify(n)}, want one of ${SCENARIOS.join(', ')} or all`,
      );
    if (!out.includes(n as ScenarioName)) out.push(n as ScenarioName);
  }
  if (out.length === 0) throw new ArgumentValueError('scenarios', 'name at least one scenario');
  return out;
}

function machine(): AttackReport['machine'] {
  return {
    cpus: availableParallelism(),
    model: cpus()[0]?.model,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

export async function runAttackLab(opts: LabOptions): Promise<AttackReport> {
  const quick = opts.quick ?? false;
  const base = labParams(quick);
  const source = { dataDir: opts.dataDir, fresh: opts.fresh ?? false };
  const log = opts.log ?? ((): void => undefined);
  const scenarios: { -readonly [K in keyof ScenarioResults]: ScenarioResults[K] } = {};
  const runs: Partial<Record<ScenarioName, ScenarioRun>> = {};
  for (const name of parseScenarios(opts.scenarios)) {
    log(`attack lab: ${name}${quick ? ' (quick)' : ''}…`);
    const t0 = performance.now();
    switch (name) {
      case 'mining':
        scenarios.mining = await runMining({ ...base.mining, ...opts.params?.mining });
        break;
      case 'rewrite':
        scenarios.rewrite = await runRewrite({ ...base.rewrite, ...source, ...opts.params?.rewrite });
        break;
      case 'bruteforce':
        scenarios.bruteforce = await runBruteforce({
          ...base.bruteforce,
          dataDir: opts.dataDir,
          ...opts.params?.bruteforce,
        });
        break;
      case 'forgery':
        scenarios.forgery = await runForgery({ ...base.forgery, ...opts.params?.forgery });
        break;
      case 'tamper':
        scenarios.tamper = await runTamper({ ...base.tamper, ...source, ...opts.params?.tamper });
        break;
    }
    runs[name] = { date: new Date().toISOString(), quick, elapsedMs: performance.now() - t0 };
  }
  return {
    version: REPORT_VERSION,
    date: new Date().toISOString(),
    machine: machine(),
    scenarios,
    runs,
  };
}

/** `next` over `previous`: scenarios run now replace their earlier results, the others stay. */
export function mergeReports(previous: AttackReport | undefined, next: AttackReport): AttackReport {
  if (previous?.version !== REPORT_VERSION) return next;
  return {
    ...next,
    scenarios: { ...previous.scenarios, ...next.scenarios },
    runs: { ...previous.runs, ...next.runs },
  };
}

/** What did not hold in a report: an accepted forgery, an unnoticed rewrite, an undetected edit, a failed control. */
export function labFailures(r: AttackReport): string[] {
  const out: string[] = [];
  const s = r.scenarios;
  if (s.mining && (s.mining.rows.some((x) => x.measured && !x.valid) || !s.mining.demo.verified))
    out.push('mining: a mined hash or the demo chain does not verify');
  if (s.rewrite?.verdict.ok) out.push('rewrite: the verifier accepted the rewritten chain');
  if (s.bruteforce) {
    const b = s.bruteforce;
    const all = [b.password.sequential, b.password.parallel, b.token];
    if (all.some((g) => g.rejected !== g.guesses)) out.push('bruteforce: a wrong guess was accepted');
    if (!b.password.control || !b.token.control) out.push('bruteforce: the right secret was not accepted');
  }
  if (s.forgery) {
    const f = s.forgery;
    if (f.rejected !== f.attempted)
      out.push(`forgery: ${String(f.attempted - f.rejected)} forgeries accepted`);
    if (
      !f.controls.genuineTxAccepted ||
      !f.controls.genuineProofVerifies ||
      !f.controls.genuineHeadSignatureVerifies
    )
      out.push('forgery: a genuine control was rejected');
  }
  if (s.tamper) {
    if (!s.tamper.baselineOk) out.push('tamper: the node was not healthy before the edits');
    for (const c of s.tamper.cases)
      if (!c.detected || !c.located) out.push(`tamper: ${c.edit} not detected at its place`);
  }
  return out;
}
