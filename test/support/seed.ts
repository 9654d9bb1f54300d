/**
 * @module
 * Loaded with `--import` in every test file's process by scripts/node-test.ts: fast-check's global
 * seed is the run's MEDLEDGER_TEST_SEED, so every `fc.assert` of the run starts from the seed the run
 * printed, and `MEDLEDGER_TEST_SEED=<seed> npm test` replays it.
 */
import fc from 'fast-check';

const seed = Number(process.env.MEDLEDGER_TEST_SEED);
if (!Number.isSafeInteger(seed))
  throw new Error(
    `MEDLEDGER_TEST_SEED must be an integer (scripts/node-test.ts sets it), got ${String(process.env.MEDLEDGER_TEST_SEED)}`,
  );
fc.configureGlobal({ seed });
