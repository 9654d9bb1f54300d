/**
 * @module
 * The benchmark runner (`npm run bench -- [options]`): runs the benchmarks in this folder and writes
 * bench/results/*.json. Its own entry, so that nothing in src depends on bench/.
 */
import { Command, CommanderError, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { intArg, printJson, reportError, UsageError } from '../src/cli/options.ts';
import { runConsortiumBench } from './consortium-bench.ts';
import { runCoreBench } from './core-bench.ts';
import { runHttpBench } from './http-bench.ts';
import { runMedicalBench } from './medical-bench.ts';
import { runScaleBench } from './scale-bench.ts';
import { runScaleCompare } from './scale-compare.ts';
import { runSoakBench } from './soak-bench.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

export function benchProgram(): Command {
  return new Command('medledger-bench')
    .description(
      'run the benchmarks (core, medical, HTTP, consortium; scale and soak when named) and write bench/results/*.json',
    )
    .showHelpAfterError()
    .exitOverride()
    .option('--txs <n>', 'transactions in the large log', intArg('txs', 1000, 10_000_000), 1_000_000)
    .option(
      '--max-difficulty <bits>',
      'highest mining difficulty to measure',
      intArg('max-difficulty', 0, 28),
      20,
    )
    .option('--quick', 'a short run (10^4 transactions, difficulty up to 12) that writes no results')
    .option('--json', 'print the results as JSON')
    .option('--minutes <n>', 'soak: minutes of load', intArg('minutes', 1, 24 * 60), 30)
    .option(
      '--dir <dir>',
      'scale: grow this data directory straight to --txs, measure it there and keep it (a kept one goes on, or is measured again)',
    )
    .option(
      '--compare <dirs...>',
      'scale: measure these grown directories (kept with --dir) in turn, --rounds times, and compare their medians',
    )
    .option('--rounds <n>', 'scale --compare: rounds', intArg('rounds', 1, 50), 3)
    .addOption(
      new Option('--only <suite>', 'run one suite (scale and soak run only when named)').choices([
        'core',
        'medical',
        'http',
        'consortium',
        'scale',
        'soak',
      ]),
    )
    .action(
      async (o: {
        txs: number;
        maxDifficulty: number;
        quick?: boolean;
        json?: boolean;
        only?: string;
        dir?: string;
        minutes: number;
        compare?: string[];
        rounds: number;
      }) => {
        const log = (s: string): void => {
          (o.json ? process.stderr : process.stdout).write(`${s}\n`);
        };
        // Suites run in this order; `--only` runs one and prints (or returns) its result alone.
        const suite = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> =>
          o.only === undefined || o.only === name ? run() : undefined;
        const alone = (name: string, result: unknown): boolean => {
          if (o.only !== name) return false;
          if (o.json) printJson(result);
          return true;
        };
        // The growth benchmark takes long (10^6 transactions: many minutes): only when asked for.
        if (o.compare !== undefined && o.only !== 'scale')
          throw new UsageError('--compare is an option of --only scale');
        if (o.only === 'scale' && o.compare !== undefined) {
          const compared = await runScaleCompare({
            dirs: o.compare,
            rounds: o.rounds,
            httpSeconds: o.quick ? 3 : 10,
            out: o.quick ? undefined : `${RESULTS}scale-compare.json`,
            log,
          });
          if (o.json) printJson(compared);
          return;
        }
        if (o.only === 'scale') {
          // A kept directory grows straight to --txs and is measured there (one size per directory).
          const sizes = o.quick
            ? [2_000, 50_000]
            : o.dir !== undefined
              ? [o.txs]
              : powersOfTen(10_000, o.txs);
          const scale = await runScaleBench({
            sizes,
            httpSeconds: o.quick ? 3 : 10,
            dir: o.dir,
            out: o.quick ? undefined : `${RESULTS}scale.json`,
            log,
          });
          if (o.json) printJson(scale);
          return;
        }
        // The soak takes half an hour by default: only when asked for.
        if (o.only === 'soak') {
          const soak = await runSoakBench({
            minutes: o.quick ? 1 : o.minutes,
            rate: 2000,
            sampleS: o.quick ? 5 : 30,
            out: o.quick ? undefined : `${RESULTS}soak.json`,
            log,
          });
          if (o.json) printJson(soak);
          return;
        }
        const consortium = await suite('consortium', () =>
          runConsortiumBench({
            txs: o.quick ? 3_000 : 30_000,
            concurrency: 512,
            rounds: o.quick ? 1 : 3,
            out: o.quick ? undefined : `${RESULTS}consortium.json`,
            log,
          }),
        );
        if (alone('consortium', consortium)) return;
        const http = await suite('http', () =>
          runHttpBench({
            durationS: o.quick ? 5 : 20,
            connections: o.quick ? { read: [16], create: [32] } : { read: [16, 32], create: [32, 64, 128] },
            patients: o.quick ? 10 : 100,
            out: o.quick ? undefined : `${RESULTS}http.json`,
            log,
          }),
        );
        if (alone('http', http)) return;
        const medical = await suite('medical', () =>
          runMedicalBench({
            records: o.quick ? 2_000 : 20_000,
            reads: o.quick ? 500 : 5_000,
            out: o.quick ? undefined : `${RESULTS}medical.json`,
            log,
          }),
        );
        if (alone('medical', medical)) return;
        const r = await runCoreBench({
          txs: o.quick ? 10_000 : o.txs,
          maxDifficulty: o.quick ? 12 : o.maxDifficulty,
          blockSize: 1000,
          out: o.quick ? undefined : `${RESULTS}core.json`,
          log,
        });
        if (o.json) printJson({ core: r, medical, http, consortium });
      },
    );
}

if (import.meta.main) {
  try {
    await benchProgram().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exitCode = e.exitCode;
    else reportError(e);
  }
}

/** 10^4, 10^5, … below `last`, then `last` (the sizes the growth benchmark measures at). */
function powersOfTen(first: number, last: number): number[] {
  const out: number[] = [];
  for (let n = first; n < last; n *= 10) out.push(n);
  return [...out, last];
}
