/**
 * @module
 * `attack <scenario|all>`: the attack lab (issue 6). Runs mining, rewrite, bruteforce, forgery and
 * tamper against snapshots of the data directory (fresh chains when it holds none; the node's own
 * files are never touched), prints tables (or the report as JSON) and writes
 * `DIR/attack-lab/report.json` with its SVG charts. Exit 1 when a defence did not hold (a forgery
 * accepted, a rewrite or an edit unnoticed, a control rejected).
 */
import type { Command } from 'commander';
import { saveReport } from '../../attack/report-files.ts';
import { labFailures, parseScenarios, runAttackLab, SCENARIOS } from '../../attack/report.ts';
import { reportText } from '../../attack/tables.ts';
import { dataDir, printJson } from '../options.ts';

interface AttackOptions {
  data?: string;
  json?: boolean;
  quick?: boolean;
  fresh?: boolean;
}

export function registerAttackCommands(program: Command): void {
  program
    .command('attack')
    .description(
      'attack lab: measure what breaking the ledger takes (mining, rewrite, bruteforce, forgery, tamper)',
    )
    .argument('<scenario>', `${SCENARIOS.join(', ')} or all`)
    .option(
      '--data <dir>',
      'data directory (or MEDLEDGER_DATA); attacked through snapshots, report in DIR/attack-lab/',
    )
    .option('--json', 'print the report as JSON')
    .option('--quick', 'small parameters: a few seconds for everything')
    .option('--fresh', 'attack fresh chains even when the data directory holds a ledger')
    .action(async (scenario: string, o: AttackOptions) => {
      const dir = dataDir(o.data);
      const scenarios = parseScenarios([scenario]);
      const report = await runAttackLab({
        scenarios,
        quick: o.quick ?? false,
        dataDir: dir,
        fresh: o.fresh ?? false,
        log: (s) => process.stderr.write(`${s}\n`),
      });
      const { files } = saveReport(dir, report);
      const failures = labFailures(report);
      if (o.json) printJson(report);
      else {
        process.stdout.write(reportText(report));
        process.stdout.write(`\nwrote ${files.join(', ')}\n`);
        for (const f of failures) process.stdout.write(`DEFENCE FAILED: ${f}\n`);
      }
      process.exitCode = failures.length === 0 ? 0 : 1;
    });
}
