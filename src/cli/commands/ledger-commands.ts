/**
 * @module
 * `init`, `verify`, `chain`, `block`: create, check and inspect a ledger data directory. When the
 * directory also holds a medical node (vault.sqlite), `verify` checks the off-chain half too: every
 * record's ciphertext is present and hashes to its hash on chain, and erased records are reported as
 * erased by their transaction, not as tampered.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatProblem } from '../../core/problem.ts';
import { ChainNode } from '../../chain/chain-node.ts';
import { isMemberDir } from '../../consortium/consortium-genesis.ts';
import { verifyFinality } from '../../chain/verify-finality.ts';
import type { FinalityReport } from '../../chain/verify-finality.ts';
import { MedicalNode } from '../../medical/medical-node.ts';
import type { VaultProblem, VaultReport } from '../../medical/medical-node.ts';
import { dataDir, intArg, printJson, progress } from '../options.ts';

/** A vault report, or why the vault could not be checked (e.g. a chain too damaged to replay). */
type VaultResult = VaultReport | { readonly ok: false; readonly error: string };

/** Checks the vault beside `ledger` without opening the node; undefined for a bare ledger. */
function checkVault(ledger: ChainNode): VaultResult | undefined {
  if (!existsSync(join(ledger.paths.dir, 'vault.sqlite'))) return undefined;
  try {
    return MedicalNode.verifyVaultOf(ledger);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** One line for humans: `blob-mismatch: record R (height 12): … (expected X, found Y)`. */
function formatVaultProblem(p: VaultProblem): string {
  const ef =
    p.expected !== undefined || p.found !== undefined
      ? ` (expected ${p.expected ?? '?'}, found ${p.found ?? '?'})`
      : '';
  const what = p.record ? `record ${p.record}` : p.kind === 'medical-state' ? 'state tables' : 'access log';
  return `${p.kind}: ${what} (height ${String(p.height)}): ${p.detail}${ef}`;
}

function printVault(v: VaultResult): void {
  if ('error' in v) {
    process.stdout.write(`vault NOT CHECKED: ${v.error}\n`);
    return;
  }
  process.stdout.write(
    `vault ${v.ok ? 'OK' : 'PROBLEMS FOUND'}: ${String(v.checked)} records checked, ${String(v.erased.length)} erased, ${String(v.problems.length)} problems\n`,
  );
  for (const e of v.erased)
    process.stdout.write(`  record ${e.record} erased by tx ${e.by} (height ${String(e.height)})\n`);
  for (const p of v.problems) process.stdout.write(`  ${formatVaultProblem(p)}\n`);
}

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
      const ledger = await ChainNode.init(dataDir(o.data), { difficulty: o.difficulty, chainId: o.chainId });
      const head = ledger.lastBlock();
      process.stdout.write(
        `initialized ${ledger.paths.dir}\n  chain ${o.chainId}, min difficulty ${o.difficulty}\n  node key ${ledger.signer.keyId}\n  genesis ${head.hash}\n`,
      );
      await ledger.close();
    });

  program
    .command('verify')
    .description(
      'verify hash links, block hashes, proof-of-work, Merkle roots, signatures and, for a medical node, the vault; exit 1 on any problem',
    )
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--full', 'verify from genesis instead of from the last verified checkpoint')
    .option('--hash-only', 'skip signature verification')
    .option('--json', 'print {ok, height, txs, problems, vault?} as JSON')
    .action(async (o: { data?: string; full?: boolean; hashOnly?: boolean; json?: boolean }) => {
      const dir = dataDir(o.data);
      const ledger = await ChainNode.open(dir, { verify: 'checkpoint' });
      const bar = o.json ? undefined : progress('verifying');
      const r = await ledger.verify({
        full: o.full ?? false,
        signatures: !o.hashOnly,
        onProgress: (h, head) => bar?.update(h + 1, head + 1),
      });
      bar?.stop();
      let vault: VaultResult | undefined;
      let finality: FinalityReport | undefined;
      try {
        vault = checkVault(ledger);
        if (isMemberDir(dir)) finality = verifyFinality(ledger.store, (h) => ledger.directory.nodeKeysAt(h));
      } finally {
        await ledger.close();
      }
      const ok = r.ok && (vault?.ok ?? true) && (finality?.ok ?? true);
      if (o.json) {
        printJson({
          // Like the exit code, `ok` covers the vault too; `problems` stays the chain's.
          ok,
          height: r.height,
          txs: r.txs,
          verifiedFrom: r.verifiedFrom,
          problems: r.problems,
          ...(vault ? { vault } : {}),
          ...(finality ? { finality } : {}),
        });
      } else {
        const scope = r.verifiedFrom === 0 ? 'full' : `from checkpoint at height ${r.verifiedFrom - 1}`;
        process.stdout.write(
          `${r.ok ? 'OK' : 'PROBLEMS FOUND'}: height ${r.height}, ${r.txs} transactions, ${r.signaturesChecked} signatures (${scope}, ${r.elapsedMs.toFixed(0)} ms)\n`,
        );
        for (const p of r.problems) process.stdout.write(`  ${formatProblem(p)}\n`);
        if (vault) printVault(vault);
        if (finality) {
          process.stdout.write(
            `finality: ${finality.ok ? 'OK' : 'PROBLEMS FOUND'}, ${finality.certificates} certificates checked, final up to height ${finality.finalHeight}, ${finality.notYetFinal} newer blocks not yet final\n`,
          );
          for (const p of finality.problems) process.stdout.write(`  height ${p.height}: ${p.detail}\n`);
        }
      }
      process.exitCode = ok ? 0 : 1;
    });

  program
    .command('chain')
    .description('summary of the chain head')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--json', 'print as JSON')
    .action(async (o: { data?: string; json?: boolean }) => {
      const ledger = await ChainNode.open(dataDir(o.data));
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
      const ledger = await ChainNode.open(dataDir(o.data));
      try {
        printJson(ledger.block(/^\d+$/.test(ref) ? Number(ref) : ref));
      } finally {
        await ledger.close();
      }
    });
}
