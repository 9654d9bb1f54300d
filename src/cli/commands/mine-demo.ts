/**
 * @module
 * `mine-demo`: a step-by-step mining demonstration, as blockchain courses show it: add data to the pending list,
 * mine it into the next block, print index, difficulty, hash, nonce and elapsed time, then the chain.
 */
import type { Command } from 'commander';
import { ChainNode } from '../../chain/chain-node.ts';
import { dataDir, intArg } from '../options.ts';

export function registerMineDemo(program: Command): void {
  program
    .command('mine-demo')
    .description(
      'add data and mine blocks one by one, printing index, difficulty, hash, nonce and time of each',
    )
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA); created when missing')
    .option('--blocks <n>', 'blocks to mine', intArg('blocks', 1, 100_000), 9)
    .option('--difficulty <bits>', 'leading zero bits', intArg('difficulty', 0, 32), 12)
    .action(async (o: { data?: string; blocks: number; difficulty: number }) => {
      const dir = dataDir(o.data);
      const ledger = await ChainNode.openOrInit(dir, { difficulty: o.difficulty });
      const out = (s: string): boolean => process.stdout.write(`${s}\n`);
      if (o.difficulty < ledger.minDifficulty) {
        out(
          `note: this chain requires at least ${ledger.minDifficulty} bits; mining at ${ledger.minDifficulty}`,
        );
      }
      const difficulty = Math.max(o.difficulty, ledger.minDifficulty);
      out(`MedLedger mining demo: ${ledger.paths.dir} (height ${ledger.height})`);
      for (let i = 1; i <= o.blocks; i++) {
        const height = ledger.height + 1;
        await ledger.addData({ name: `Mining Block ${height}` });
        const m = await ledger.mine({ difficulty });
        out(`Mining block ${m.block.header.height}`);
        out(`Difficulty: ${difficulty}`);
        out(`Computed hash: ${m.block.hash}`);
        out(`Nonce: ${m.nonce}`);
        out(`Attempts: ${m.attempts}`);
        out(`Elapsed time: ${formatElapsed(m.elapsedMs)}`);
      }
      out('');
      out('height  hash              prev              nonce     txs  time');
      for (let h = Math.max(0, ledger.height - o.blocks); h <= ledger.height; h++) {
        const b = ledger.block(h);
        out(
          `${String(h).padEnd(7)} ${b.hash.slice(0, 16)}  ${b.header.prevHash.slice(0, 16)}  ${String(b.header.nonce).padEnd(9)} ${String(b.header.txCount).padEnd(4)} ${new Date(b.header.time).toISOString()}`,
        );
      }
      const r = await ledger.verify();
      out(
        `\nproof of integrity: ${r.ok ? 'chain verifies' : `${r.problems.length} problems`} (height ${r.height}, ${r.txs} transactions)`,
      );
      await ledger.close();
      if (!r.ok) process.exitCode = 1;
    });
}

/** h:mm:ss.ffffff, as Python's timedelta prints it (the format of classic mining demos). */
export function formatElapsed(ms: number): string {
  const totalUs = Math.round(ms * 1000);
  const us = totalUs % 1_000_000;
  const s = Math.floor(totalUs / 1_000_000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(us).padStart(6, '0')}`;
}
