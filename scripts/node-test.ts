/**
 * @module
 * `node --test` with one seed for the property tests of the run: takes MEDLEDGER_TEST_SEED or picks
 * one, prints it first so that a failing run can be replayed (`MEDLEDGER_TEST_SEED=<seed> npm test`),
 * and runs the test runner with test/support/seed.ts loaded in every test file's process (the runner
 * itself does not load `--import` modules, so the seed travels in the environment).
 * Usage: node scripts/node-test.ts [node --test options and file globs]
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';

const given = process.env.MEDLEDGER_TEST_SEED;
const seed = given === undefined || given === '' ? randomInt(2 ** 31) : Number(given);
if (!Number.isSafeInteger(seed)) {
  console.error(`MEDLEDGER_TEST_SEED must be an integer, got ${String(given)}`);
  process.exit(2);
}
console.log(`test seed ${String(seed)} (replay: MEDLEDGER_TEST_SEED=${String(seed)} npm test)`);
const child = spawn(
  process.execPath,
  ['--test', '--import', './test/support/seed.ts', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, MEDLEDGER_TEST_SEED: String(seed) } },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    child.kill(signal);
  });
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
