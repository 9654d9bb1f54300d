/**
 * @module
 * Medical data commands: `seed` (synthetic patients with histories and demo users for every role) and
 * `import` (FHIR Bundles from a file or a directory, with a progress bar and a summary).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeOutcome } from '../../fhir/outcome.ts';
import { importBundle } from '../../medical/importer.ts';
import { MedicalNode } from '../../medical/medical-node.ts';
import { DEMO_ORGS } from '../../sim/synthetic.ts';
import { seedNode } from '../demo-data.ts';
import type { SeedSummary } from '../demo-data.ts';
import { dataDir, intArg, printJson, progress, UsageError } from '../options.ts';

function bundleFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`no such file or directory: ${path}`);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(path, f));
}

export function registerMedicalCommands(program: Command): void {
  program
    .command('seed')
    .description('create demo users for every role and N synthetic patients with realistic histories')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA); created when missing')
    .option('--patients <n>', 'synthetic patients', intArg('patients', 0, 100_000), 20)
    .option('--seed <n>', 'generator seed (same seed, same patients)', intArg('seed', 0, 2 ** 31), 1)
    .option('--json', 'print the summary as JSON')
    .action(async (o: { data?: string; patients: number; seed: number; json?: boolean }) => {
      const summary = await seed(dataDir(o.data), o.patients, o.seed);
      if (o.json) printJson(summary);
      else {
        process.stdout.write(`seeded ${summary.patients} patients, ${summary.records} records\n`);
        process.stdout.write(`demo users (password "${summary.password}"):\n`);
        for (const u of summary.users) process.stdout.write(`  ${u.role.padEnd(10)} ${u.email}\n`);
      }
    });

  program
    .command('import')
    .description(
      'import FHIR R4 Bundles (transaction, batch or collection; Synthea exports) from a file or directory',
    )
    .argument('<path>', 'a bundle .json file or a directory of them')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--json', 'print the summary as JSON')
    .action(async (path: string, o: { data?: string; json?: boolean }) => {
      const files = bundleFiles(path);
      const { node } = await MedicalNode.open(dataDir(o.data));
      const bar = progress('importing');
      const results = [];
      try {
        for (const [i, f] of files.entries()) {
          let r;
          try {
            r = await importBundle(node, JSON.parse(readFileSync(f, 'utf8')) as unknown);
          } catch (e) {
            r = {
              imported: 0,
              rejected: [],
              unresolvedReferences: 0,
              error: e instanceof Error ? e.message : String(e),
            };
          }
          results.push({ file: f, ...r, records: undefined });
          bar.update(i + 1, files.length);
        }
      } finally {
        bar.stop();
        await node.close();
      }
      const imported = results.reduce((a, r) => a + r.imported, 0);
      const rejected = results.reduce((a, r) => a + r.rejected.length, 0);
      if (o.json) printJson({ files: results.length, imported, rejected, results });
      else {
        process.stdout.write(
          `imported ${imported} resources from ${results.length} bundles; rejected ${rejected}\n`,
        );
        for (const r of results) {
          if ('error' in r) process.stdout.write(`  ${r.file}: ${r.error}\n`);
          for (const x of r.rejected)
            process.stdout.write(
              `  ${r.file} entry ${x.index} (${x.resourceType ?? '?'}): ${describeOutcome(x.outcome)}\n`,
            );
        }
      }
      if (rejected > 0 || results.some((r) => 'error' in r)) process.exitCode = 1;
    });
}

/** Seeds the node in `dir`: demo organizations and users, then `n` synthetic patients written by the node. */
export async function seed(dir: string, n: number, seedValue = 1): Promise<SeedSummary> {
  const { node } = await MedicalNode.open(dir, { org: { id: DEMO_ORGS[0]!.slug, name: DEMO_ORGS[0]!.name } });
  try {
    return await seedNode(node, n, seedValue);
  } finally {
    await node.close();
  }
}
