/**
 * @module
 * The `medledger` command line.
 */
import { Command, CommanderError } from 'commander';
import { registerLedgerCommands } from './commands/ledger-commands.ts';
import { registerMineDemo } from './commands/mine-demo.ts';
import { registerMedicalCommands } from './commands/medical-commands.ts';
import { registerExportCommands } from './commands/export-commands.ts';
import { reportError } from './options.ts';
import { registerServe } from './commands/serve.ts';
import { registerAttackCommands } from './commands/attack-commands.ts';
import { registerConsortium } from './commands/consortium.ts';

export function buildProgram(): Command {
  const program = new Command('medledger')
    .description('MedLedger: a tamper-evident, patient-consented ledger for medical records')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerLedgerCommands(program);
  registerMineDemo(program);
  registerConsortium(program);
  registerMedicalCommands(program);
  registerServe(program);
  registerExportCommands(program);
  registerAttackCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    reportError(e);
  }
}

if (import.meta.main) await main(process.argv);
