/**
 * @module
 * `init`, `verify`, `chain`, `block`: create, check and inspect a ledger data directory.
 */
import type { Command } from 'commander';
import { formatProblem } from '../../core/problem.ts';
import { Ledger } from '../../node/ledger.ts';
import { dataDir, intArg, printJson, progress } from '../options.ts';

export function registerLedgerCommands(program: Command): void {
  program
    .command('init')
    .description('create a new ledger (node key, SQLite store, genesis block)')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option(
      '--difficulty <bits>',
      'minimum proof-of-work difficulty in leading zero bits',
      intArg('difficulty', 0, 32),
      0,
    )
    .option('--chain-id <id>', 'chain identifier', 'medledger-local')
    .action(async (o: { data?: string; difficulty: number; chainId: string }) => {
      const ledger = await Ledger.init(dataDir(o.data), { difficulty: o.difficulty, chainId: o.chainId });
      const head = ledger.lastBlock();
      process.stdout.write(
        `initialized ${ledger.paths.dir}\n  chain ${o.chainId}, min difficulty ${o.difficulty}\n  node key ${ledger.signer.keyId}\n  genesis ${head.hash}\n`,
      );
      await ledger.close();
    });

  program
    .command('verify')
    .description(
      'verify hash links, block hashes, proof-of-work, Merkle roots, signatures; exit 1 on any problem',
    )
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--full', 'verify from genesis instead of from the last verified checkpoint')
    .option('--hash-only', 'skip signature verification')
    .option('--json', 'print {ok, height, txs, problems} as JSON')
    .action(async (o: { data?: string; full?: boolean; hashOnly?: boolean; json?: boolean }) => {
      const ledger = await Ledger.open(dataDir(o.data), { verify: 'checkpoint' });
      const bar = o.json ? undefined : progress('verifying');
      const r = await ledger.verify({
        full: o.full ?? false,
        signatures: !o.hashOnly,
        onProgress: (h, head) => bar?.update(h + 1, head + 1),
      });
      bar?.stop();
      await ledger.close();
      if (o.json) {
        printJson({
          ok: r.ok,
          height: r.height,
          txs: r.txs,
          verifiedFrom: r.verifiedFrom,
          problems: r.problems,
        });
      } else {
        const scope = r.verifiedFrom === 0 ? 'full' : `from checkpoint at height ${r.verifiedFrom - 1}`;
        process.stdout.write(
          `${r.ok ? 'OK' : 'PROBLEMS FOUND'}: height ${r.height}, ${r.txs} transactions, ${r.signaturesChecked} signatures (${scope}, ${r.elapsedMs.toFixed(0)} ms)\n`,
        );
        for (const p of r.problems) process.stdout.write(`  ${formatProblem(p)}\n`);
      }
      process.exitCode = r.ok ? 0 : 1;
    });

  program
    .command('chain')
    .description('summary of the chain head')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--json', 'print as JSON')
    .action(async (o: { data?: string; json?: boolean }) => {
      const ledger = await Ledger.open(dataDir(o.data));
      const head = ledger.lastBlock();
      const summary = {
        chainId: ledger.chainId,
        height: head.height,
        headHash: head.hash,
        transactions: head.header.logSize,
        logRoot: head.header.logRoot,
        minDifficulty: ledger.minDifficulty,
        headTime: new Date(head.header.time).toISOString(),
        nodeKey: ledger.signer.keyId,
        integrity: ledger.openReport?.ok ? 'ok' : 'problems (run medledger verify)',
      };
      await ledger.close();
      if (o.json) printJson(summary);
      else
        for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(14)} ${String(v)}\n`);
    });

  program
    .command('block')
    .description('show a block by height or hash')
    .argument('<ref>', 'block height or block hash')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .action(async (ref: string, o: { data?: string }) => {
      const ledger = await Ledger.open(dataDir(o.data));
      try {
        printJson(ledger.block(/^\d+$/.test(ref) ? Number(ref) : ref));
      } finally {
        await ledger.close();
      }
    });
}
