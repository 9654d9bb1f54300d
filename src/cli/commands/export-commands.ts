/**
 * @module
 * `export research` and `export audit`: what leaves a node, each through a login and the ledger handle
 * scoped to it (so the consent and role rules are the node's, not the command's).
 *
 * - research: the de-identified OMOP CDM v5.4 tables (one RFC 4180 CSV per table) over patients who
 *   consented to research; every patient exported is an access event committed on the chain.
 * - audit: the access log as a FHIR R4 Bundle of type `collection` holding AuditEvent resources
 *   (http://hl7.org/fhir/R4/bundle.html, http://hl7.org/fhir/R4/auditevent.html).
 *
 * The password comes from MEDLEDGER_PASSWORD or, with `--password-stdin`, the first line of stdin
 * (as `docker login --password-stdin`): never from the command line, where `ps` and shell history see it.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { Command } from 'commander';
import type { AccessEventView } from '../../fhir/audit-event.ts';
import { toAuditEvent } from '../../fhir/audit-event.ts';
import { omopToCsv } from '../../fhir/omop.ts';
import type { TableName } from '../../fhir/omop-tables.ts';
import type { AccessEntry } from '../../ledger/medical-state.ts';
import { MedicalNode } from '../../node/medical-node.ts';
import type { Session } from '../../node/medical-node.ts';
import { stripPatient } from '../../node/scoped-ledger.ts';
import { dataDir, printJson, UsageError } from '../options.ts';

interface LoginOptions {
  readonly data?: string;
  readonly email: string;
  readonly passwordStdin?: boolean;
}

/** The first line of stdin, without its line end. */
async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

async function password(o: LoginOptions): Promise<string> {
  const pw = o.passwordStdin ? await readLine() : process.env.MEDLEDGER_PASSWORD;
  if (!pw) throw new UsageError('no password: set MEDLEDGER_PASSWORD or pass --password-stdin');
  return pw;
}

/**
 * Opens an existing medical node: `MedicalNode.open` on an empty directory would create a ledger, an
 * organization and an admin, which an export must never do.
 */
async function openNode(dir: string): Promise<MedicalNode> {
  if (!existsSync(join(dir, 'vault.sqlite')))
    throw new UsageError(`no medical node in ${dir} (run medledger seed or import first)`);
  return (await MedicalNode.open(dir)).node;
}

/** Opens the node, logs the user in (the password first, so a bad one costs no chain check) and runs `fn`. */
async function withSession<T>(
  o: LoginOptions,
  fn: (node: MedicalNode, s: Session) => Promise<T>,
): Promise<T> {
  const dir = dataDir(o.data);
  const pw = await password(o);
  const node = await openNode(dir);
  try {
    return await fn(node, await node.loginAsync(o.email, pw));
  } finally {
    await node.close();
  }
}

function loginOptions(c: Command): Command {
  return c
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .requiredOption('--email <email>', 'the account to log in as')
    .option('--password-stdin', 'read the password from the first line of stdin (else MEDLEDGER_PASSWORD)');
}

/** Writes `text` to `path` readable by the owner only, also when the file already existed. */
function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export interface ResearchExportSummary {
  readonly out: string;
  readonly rows: Record<TableName, number>;
}

async function exportResearch(o: LoginOptions & { out: string }): Promise<ResearchExportSummary> {
  return withSession(o, async (node, s) => {
    let tables;
    try {
      tables = await node.as(s).researchExport();
    } finally {
      // The access events of the export are on the chain before any file is written, even if it failed.
      await node.commit();
    }
    const csv = omopToCsv(tables);
    mkdirSync(o.out, { recursive: true, mode: 0o700 });
    const rows = {} as Record<TableName, number>;
    for (const name of Object.keys(csv) as TableName[]) {
      writePrivate(join(o.out, `${name}.csv`), csv[name]);
      rows[name] = tables[name].length;
    }
    return { out: o.out, rows };
  });
}

/** Ledger access events an AuditEvent can express (`toAuditEvent` has no mapping for every action). */
const AUDITABLE = new Set<string>(['read', 'write', 'export', 'erase']);

/** The access log as a FHIR R4 collection Bundle, and the access events it could not express. */
export function auditBundle(
  node: MedicalNode,
  log: readonly AccessEntry[],
  patientId: string | undefined,
): { bundle: Bundle<AuditEvent>; skipped: AccessEntry[] } {
  const entry: { resource: AuditEvent }[] = [];
  const skipped: AccessEntry[] = [];
  for (const e of log) {
    if (!AUDITABLE.has(e.action)) {
      skipped.push(e);
      continue;
    }
    const who = node.ledger.directory.entry(e.requester);
    const view: AccessEventView = {
      id: e.tx,
      time: e.time,
      requester: { keyId: e.requester, role: who?.role ?? 'unknown', ...(who?.org ? { org: who.org } : {}) },
      // The chain holds blind ids only: the patient is named when the caller named them.
      ...(patientId === undefined ? {} : { patientRef: `Patient/${stripPatient(patientId)}` }),
      records: e.records,
      action: e.action as AccessEventView['action'],
      purpose: e.purpose,
      outcome: e.outcome,
      reason: e.reason,
      breakGlass: e.breakGlass,
      height: e.height,
    };
    entry.push({ resource: toAuditEvent(view) });
  }
  const bundle: Bundle<AuditEvent> = {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date(node.now).toISOString(),
    entry,
  };
  return { bundle, skipped };
}

export function registerExportCommands(program: Command): void {
  const exp = program
    .command('export')
    .description('export de-identified research tables (OMOP CSV) or the access log (FHIR AuditEvent)');

  loginOptions(
    exp
      .command('research')
      .description(
        'as a researcher: de-identified OMOP CDM v5.4 CSVs over patients who consented to research (audited)',
      ),
  )
    .requiredOption('--out <dir>', 'output directory (created with mode 0700; files 0600)')
    .option('--json', 'print the summary as JSON')
    .action(async (o: LoginOptions & { out: string; json?: boolean }) => {
      const summary = await exportResearch(o);
      if (o.json) printJson(summary);
      else {
        process.stdout.write(`exported ${String(summary.rows.person)} patients to ${summary.out}\n`);
        for (const [t, n] of Object.entries(summary.rows))
          process.stdout.write(`  ${`${t}.csv`.padEnd(26)} ${String(n).padStart(7)} rows\n`);
      }
    });

  loginOptions(
    exp
      .command('audit')
      .description(
        'as an auditor or admin (any patient) or a patient (their own): the access log as a FHIR R4 Bundle of AuditEvents',
      ),
  )
    .option('--patient <id>', 'FHIR Patient id whose accesses to export (default: all the caller may see)')
    .option('--out <file>', 'write the Bundle to this file (mode 0600) instead of stdout')
    .action(async (o: LoginOptions & { patient?: string; out?: string }) => {
      const { bundle, skipped } = await withSession(o, (node, s) =>
        Promise.resolve(auditBundle(node, node.as(s).accessLog(o.patient), o.patient)),
      );
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (o.out === undefined) process.stdout.write(text);
      else {
        writePrivate(o.out, text);
        process.stdout.write(`wrote ${String(bundle.entry?.length ?? 0)} AuditEvents to ${o.out}\n`);
      }
      if (skipped.length > 0) {
        // An incomplete audit trail must not look complete: say which events, and fail.
        for (const e of skipped)
          process.stderr.write(`medledger: access event ${e.tx} (${e.action}) has no AuditEvent mapping\n`);
        process.exitCode = 1;
      }
    });
}
