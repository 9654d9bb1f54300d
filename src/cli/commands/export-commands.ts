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
import { once } from 'node:events';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Command } from 'commander';
import type { AccessEventView } from '../../fhir/audit-event.ts';
import { toAuditEvent } from '../../fhir/audit-event.ts';
import { omopCsvHeader, omopCsvLines } from '../../fhir/omop.ts';
import { OMOP_COLUMNS } from '../../fhir/omop-tables.ts';
import type { OmopTables, TableName } from '../../fhir/omop-tables.ts';
import type { AccessEntry } from '../../state-machine/medical-state.ts';
import { MedicalNode } from '../../medical/medical-node.ts';
import type { Session } from '../../medical/medical-node.ts';
import { stripPatient } from '../../fhir/patient-ref.ts';
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

/** Opens `path` for writing (emptied), readable by the owner only, also when it already existed. */
function openPrivate(path: string): number {
  const fd = openSync(path, 'w', 0o600);
  fchmodSync(fd, 0o600);
  return fd;
}

export interface ResearchExportSummary {
  readonly out: string;
  readonly rows: Record<TableName, number>;
}

/** Patients whose rows are held before their export events are committed and the rows written. */
const RESEARCH_BATCH = 100;

async function exportResearch(o: LoginOptions & { out: string }): Promise<ResearchExportSummary> {
  return withSession(o, async (node, s) => {
    node.as(s).researchRecordCount(); // a caller who may not export fails here, before any file exists
    mkdirSync(o.out, { recursive: true, mode: 0o700 });
    const tables = Object.keys(OMOP_COLUMNS) as TableName[];
    const rows = Object.fromEntries(tables.map((t) => [t, 0])) as Record<TableName, number>;
    const files = new Map<TableName, number>();
    let held: OmopTables[] = [];
    // The access events of a batch are on the chain before any of its rows is written.
    const flush = async (): Promise<void> => {
      await node.commit();
      for (const t of tables) {
        const text = held.map((part) => omopCsvLines(part, t)).join('');
        if (text) writeSync(files.get(t)!, text);
        rows[t] += held.reduce((n, part) => n + part[t].length, 0);
      }
      held = [];
    };
    try {
      for (const t of tables) {
        files.set(t, openPrivate(join(o.out, `${t}.csv`)));
        writeSync(files.get(t)!, omopCsvHeader(t));
      }
      for await (const part of node.as(s).researchExport()) {
        held.push(part);
        if (held.length >= RESEARCH_BATCH) await flush();
      }
      await flush();
    } finally {
      await node.commit(); // what was read is logged, also when the export failed
      for (const fd of files.values()) closeSync(fd);
    }
    return { out: o.out, rows };
  });
}

/** ChainNode access events an AuditEvent can express (`toAuditEvent` has no mapping for every action). */
const AUDITABLE = new Set<string>(['read', 'write', 'export', 'erase']);

/** Access events per read of the log while exporting (memory holds one page, however long the log). */
const AUDIT_PAGE = 1000;

/** An access event as a FHIR AuditEvent, or undefined when AuditEvent has no mapping for its action. */
function auditEventOf(
  node: MedicalNode,
  e: AccessEntry,
  patientId: string | undefined,
): AuditEvent | undefined {
  if (!AUDITABLE.has(e.action)) return undefined;
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
  return toAuditEvent(view);
}

/**
 * Writes the caller's access log as a FHIR R4 collection Bundle, one page of events at a time; returns
 * how many AuditEvents it wrote and the access events it could not express.
 */
export async function writeAuditBundle(
  node: MedicalNode,
  s: Session,
  patientId: string | undefined,
  write: (text: string) => Promise<void>,
  pageSize = AUDIT_PAGE,
): Promise<{ written: number; skipped: AccessEntry[] }> {
  const scoped = node.as(s);
  const skipped: AccessEntry[] = [];
  let written = 0;
  const head = { resourceType: 'Bundle', type: 'collection', timestamp: new Date(node.now).toISOString() };
  await write(`${JSON.stringify(head).slice(0, -1)},"entry":[`);
  for (let after: number | undefined; ;) {
    const page = scoped.accessLog(patientId, {
      limit: pageSize,
      ...(after === undefined ? {} : { after }),
    });
    let text = '';
    for (const e of page) {
      const resource = auditEventOf(node, e, patientId);
      if (!resource) skipped.push(e);
      else text += `${written++ === 0 ? '' : ','}\n${JSON.stringify({ resource })}`;
    }
    if (text) await write(text);
    if (page.length < pageSize) break;
    after = page.at(-1)!.seq;
  }
  await write('\n]}\n');
  return { written, skipped };
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
      const file = o.out === undefined ? undefined : openPrivate(o.out);
      let result;
      try {
        result = await withSession(o, (node, s) =>
          writeAuditBundle(node, s, o.patient, async (text) => {
            if (file !== undefined) writeSync(file, text);
            else if (!process.stdout.write(text)) await once(process.stdout, 'drain');
          }),
        );
      } finally {
        if (file !== undefined) closeSync(file);
      }
      const { written, skipped } = result;
      if (o.out !== undefined) process.stdout.write(`wrote ${String(written)} AuditEvents to ${o.out}\n`);
      if (skipped.length > 0) {
        // An incomplete audit trail must not look complete: say which events, and fail.
        for (const e of skipped)
          process.stderr.write(`medledger: access event ${e.tx} (${e.action}) has no AuditEvent mapping\n`);
        process.exitCode = 1;
      }
    });
}
