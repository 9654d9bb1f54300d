/**
 * @module
 * The medical CLI end to end on a seeded node: `export research` (de-identified OMOP CSVs, audited),
 * `export audit` (a FHIR R4 Bundle of AuditEvents) and `verify` over chain and vault — an erasure is
 * reported as erased by its transaction, a re-planted erased blob as erasure-incomplete and an edited
 * ciphertext as blob-mismatch, at its record. Every command runs as the real CLI in a child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, Bundle, Patient } from '@medplum/fhirtypes';
import { writeAuditBundle } from '../src/cli/commands/export-commands.ts';
import { DEMO_PASSWORD } from '../src/cli/demo-data.ts';
import { OMOP_COLUMNS } from '../src/fhir/omop-tables.ts';
import type { TableName } from '../src/fhir/omop-tables.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import type { VaultReport } from '../src/medical/medical-node.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const YEAR = 365 * 86_400_000;
const USERS = {
  admin: 'admin@stmarys.example',
  doctor: 'dr.chen@stmarys.example',
  researcher: 'research@stmarys.example',
  auditor: 'auditor@riverside.example',
  patient: 'patient@stmarys.example',
} as const;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], opts: { password?: string; input?: string } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDLEDGER_DEMO_PASSWORD: DEMO_PASSWORD };
  delete env.MEDLEDGER_PASSWORD;
  delete env.MEDLEDGER_DATA;
  if (opts.password !== undefined) env.MEDLEDGER_PASSWORD = opts.password;
  const r = spawnSync(process.execPath, ['src/cli/main.ts', ...args], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 60_000,
    ...(opts.input === undefined ? {} : { input: opts.input }),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ok = (r: Run): Run => {
  assert.equal(r.status, 0, `exit ${String(r.status)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};

let root: string;
let dir: string;
/** Patient resources as stored, read back through a doctor's scoped handle. */
let patients: Patient[];
/** Blind id of the seeded patient login (the first synthetic patient). */
let blind: string;
let patientId: string;

async function withNode<T>(fn: (node: MedicalNode) => Promise<T>): Promise<T> {
  const { node, admin } = await MedicalNode.open(dir);
  assert.equal(admin, undefined, 'opening a seeded node must not create an admin');
  try {
    return await fn(node);
  } finally {
    await node.close();
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'medledger-cli-export-'));
  dir = join(root, 'node');
  ok(cli(['seed', '--data', dir, '--patients', '3', '--seed', '1']));
  await withNode(async (node) => {
    const doctor = node.as(node.login(USERS.doctor, DEMO_PASSWORD));
    const firsts = new Map<string, string>();
    for (const r of node.state.records.values())
      if (r.patient && r.amends === undefined && !firsts.has(r.patient)) firsts.set(r.patient, r.id);
    patients = [];
    for (const id of firsts.values()) {
      const { resource } = (await doctor.getRecord(id)).current;
      assert.equal(resource.resourceType, 'Patient');
      patients.push(resource);
    }
    assert.equal(patients.length, 3);
    const patient = node.login(USERS.patient, DEMO_PASSWORD);
    blind = patient.patient!;
    patientId = patients.find((p) => node.blind(p.id!) === blind)!.id!;
    await node.as(patient).grantConsent({
      grantee: { kind: 'organization', orgId: 'st-marys' },
      purpose: 'research',
      validTo: node.now + YEAR,
    });
    await node.commit();
  });
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

const exportResearch = (out: string, email: string, password?: string): Run =>
  cli(['export', 'research', '--data', dir, '--email', email, '--out', out], {
    ...(password === undefined ? {} : { password }),
  });

void describe('medledger export research', () => {
  it('requires a password and never reads one from the command line', () => {
    const out = join(root, 'no-password');
    const r = exportResearch(out, USERS.researcher);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /MEDLEDGER_PASSWORD/);
    assert.equal(existsSync(out), false);
    const flag = cli([
      'export',
      'research',
      '--data',
      dir,
      '--email',
      USERS.researcher,
      '--out',
      out,
      '--password',
      'x',
    ]);
    assert.notEqual(flag.status, 0);
    assert.match(flag.stderr, /unknown option '--password'/);
  });

  it('rejects a wrong password and a caller who is not a researcher, writing nothing', () => {
    const out = join(root, 'denied');
    const bad = exportResearch(out, USERS.researcher, 'not-the-password');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /ML_ERR_AUTH_FAILED/);
    const doctor = exportResearch(out, USERS.doctor, DEMO_PASSWORD);
    assert.equal(doctor.status, 2);
    assert.match(doctor.stderr, /ML_ERR_ACCESS_DENIED/);
    assert.equal(existsSync(out), false);
  });

  it('writes one private CSV per OMOP table, with the CDM header and no names or ids', () => {
    const out = join(root, 'research');
    const r = ok(exportResearch(out, USERS.researcher, DEMO_PASSWORD));
    assert.match(r.stdout, /exported 1 patients/);
    assert.equal(statSync(out).mode & 0o777, 0o700);
    const tables = Object.keys(OMOP_COLUMNS) as TableName[];
    assert.deepEqual(readdirSync(out).sort(), tables.map((t) => `${t}.csv`).sort());
    let all = '';
    for (const t of tables) {
      const path = join(out, `${t}.csv`);
      assert.equal(statSync(path).mode & 0o777, 0o600, path);
      const text = readFileSync(path, 'utf8');
      assert.equal(text.split(/\r?\n/)[0], OMOP_COLUMNS[t].join(','), t);
      assert.match(r.stdout, new RegExp(`${t}\\.csv\\s+\\d+ rows`));
      all += text;
    }
    assert.equal(readFileSync(join(out, 'person.csv'), 'utf8').trim().split(/\r?\n/).length, 2);
    assert.ok(readFileSync(join(out, 'measurement.csv'), 'utf8').trim().split(/\r?\n/).length > 1);
    const words = patients.flatMap((p) => [
      p.id!,
      ...(p.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]),
      ...(p.identifier ?? []).map((i) => i.value ?? ''),
    ]);
    assert.ok(words.length > 6);
    for (const w of words.filter((x) => x.length > 1)) {
      const re = new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
      assert.doesNotMatch(all, re, `"${w}" leaked into the export`);
    }
  });
});

void describe('medledger export audit', () => {
  it("refuses a patient another patient's log", () => {
    const other = patients.find((p) => p.id !== patientId)!.id!;
    const r = cli(['export', 'audit', '--data', dir, '--email', USERS.patient, '--patient', other], {
      password: DEMO_PASSWORD,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ML_ERR_ACCESS_DENIED/);
  });

  it('prints a collection Bundle of AuditEvents with the research export in it', () => {
    const r = ok(
      cli(
        [
          'export',
          'audit',
          '--data',
          dir,
          '--email',
          USERS.auditor,
          '--patient',
          patientId,
          '--password-stdin',
        ],
        {
          input: `${DEMO_PASSWORD}\nignored second line\n`,
        },
      ),
    );
    const b = JSON.parse(r.stdout) as Bundle<AuditEvent>;
    assert.equal(b.resourceType, 'Bundle');
    assert.equal(b.type, 'collection');
    const events = (b.entry ?? []).map((e) => e.resource!);
    assert.ok(events.length >= 2);
    for (const e of events) {
      assert.equal(e.resourceType, 'AuditEvent');
      assert.match(e.id ?? '', /^[0-9a-f]{64}$/);
      assert.ok(e.entity?.some((x) => x.what?.reference === `Patient/${patientId}`));
    }
    const exp = events.filter((e) => e.type.code === '110106');
    assert.equal(exp.length, 1);
    assert.equal(exp[0]!.action, 'E');
    assert.equal(exp[0]!.outcome, '0');
    assert.equal(exp[0]!.purposeOfEvent?.[0]?.coding?.[0]?.code, 'HRESCH');
    assert.ok(
      events.some((e) => e.action === 'R'),
      'the doctor read of the Patient record',
    );
  });

  it('writes the same Bundle one page of events at a time as in one page', async () => {
    const { node } = await MedicalNode.open(dir);
    try {
      const s = await node.loginAsync(USERS.auditor, DEMO_PASSWORD);
      const bundleIn = async (pageSize: number): Promise<{ text: string; writes: number }> => {
        let text = '';
        let writes = 0;
        await writeAuditBundle(
          node,
          s,
          undefined,
          (t) => {
            text += t;
            writes++;
            return Promise.resolve();
          },
          pageSize,
        );
        return { text, writes };
      };
      const whole = await bundleIn(1_000_000);
      const paged = await bundleIn(1);
      const events = JSON.parse(whole.text) as Bundle<AuditEvent>;
      assert.ok((events.entry?.length ?? 0) >= 3, String(events.entry?.length));
      assert.equal(
        paged.text.replace(/"timestamp":"[^"]+"/, ''),
        whole.text.replace(/"timestamp":"[^"]+"/, ''),
      );
      assert.ok(paged.writes > whole.writes + 1, `${String(paged.writes)} writes`);
      assert.equal(events.entry?.length, node.as(s).accessLogSize());
    } finally {
      await node.close();
    }
  });

  it("writes a patient's own log to a private file", () => {
    const out = join(root, 'audit.json');
    const r = ok(
      cli(['export', 'audit', '--data', dir, '--email', USERS.patient, '--out', out], {
        password: DEMO_PASSWORD,
      }),
    );
    assert.match(r.stdout, /wrote \d+ AuditEvents/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const b = JSON.parse(readFileSync(out, 'utf8')) as Bundle<AuditEvent>;
    assert.ok((b.entry?.length ?? 0) >= 2);
  });
});

interface VerifyJson {
  readonly ok: boolean;
  readonly vault?: VaultReport;
}

const verifyJson = (d = dir): { status: number | null; report: VerifyJson } => {
  const r = cli(['verify', '--data', d, '--json']);
  return { status: r.status, report: JSON.parse(r.stdout) as VerifyJson };
};

void describe('medledger verify with a vault', () => {
  let erased: string;
  let erasedBlob: string;
  let eraseTx: string;
  let kept: { id: string; blob: string };

  it('skips the vault of a bare ledger and creates none', () => {
    const bare = join(root, 'bare');
    ok(cli(['init', '--data', bare]));
    const { status, report } = verifyJson(bare);
    assert.equal(status, 0);
    assert.equal(report.vault, undefined);
    assert.equal(existsSync(join(bare, 'vault.sqlite')), false);
  });

  it('names an erased record by its erasure transaction and exits 0', async () => {
    await withNode(async (node) => {
      const [, target, other] = node.state.recordsOf(blind);
      erased = target!.id;
      erasedBlob = target!.blob;
      kept = { id: other!.id, blob: other!.blob };
      const req = await node.as(node.login(USERS.patient, DEMO_PASSWORD)).requestErasure([erased]);
      await node.commit();
      eraseTx = await node.as(node.login(USERS.admin, DEMO_PASSWORD)).approveErasure(req);
      await node.commit();
    });
    const r = ok(cli(['verify', '--data', dir]));
    assert.match(r.stdout, /^vault OK: \d+ records checked, 1 erased, 0 problems$/m);
    assert.match(r.stdout, new RegExp(`record ${erased} erased by tx ${eraseTx} \\(height \\d+\\)`));
    const { status, report } = verifyJson();
    assert.equal(status, 0);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.vault?.erased.map((e) => [e.record, e.by]),
      [[erased, eraseTx]],
    );
  });

  it('exits 1 naming blob-mismatch at the record whose ciphertext was edited', () => {
    const db = new DatabaseSync(join(dir, 'vault.sqlite'));
    const original = (
      db.prepare('SELECT data FROM record_blobs WHERE record = ?').get(kept.id) as { data: Uint8Array }
    ).data;
    try {
      db.prepare('UPDATE record_blobs SET data = ? WHERE record = ?').run(Buffer.from('tampered'), kept.id);
      const r = cli(['verify', '--data', dir]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^vault PROBLEMS FOUND/m);
      assert.match(r.stdout, new RegExp(`blob-mismatch: record ${kept.id} \\(height \\d+\\)`));
      const { status, report } = verifyJson();
      assert.equal(status, 1);
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.vault?.problems.map((p) => [p.record, p.kind]),
        [[kept.id, 'blob-mismatch']],
      );
    } finally {
      db.prepare('UPDATE record_blobs SET data = ? WHERE record = ?').run(original, kept.id);
      db.close();
    }
    ok(cli(['verify', '--data', dir]));
  });

  it('exits 1 naming the access event hidden from the stored access log', () => {
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    const last = db.prepare('SELECT seq, patient FROM access_events ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      patient: Uint8Array | null;
    };
    try {
      db.prepare('DELETE FROM access_events WHERE seq = ?').run(last.seq);
      const r = cli(['verify', '--data', dir]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `access-log: access log \\(height \\d+\\): log position ${String(last.seq)}: an access event`,
        ),
      );
      const { report } = verifyJson();
      assert.deepEqual(
        report.vault?.problems.map((p) => p.kind),
        ['access-log'],
      );
    } finally {
      db.prepare('INSERT INTO access_events (seq, patient) VALUES (?, ?)').run(last.seq, last.patient);
      db.close();
    }
    ok(cli(['verify', '--data', dir]));
  });

  it('exits 1 naming the record whose row in the state tables was edited', () => {
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    const row = db.prepare('SELECT seq, org FROM state_records WHERE id = ?').get(kept.id) as {
      seq: number;
      org: string;
    };
    try {
      // An operator files the record under another organization (whose doctors would then read it).
      db.prepare('UPDATE state_records SET org = ? WHERE seq = ?').run('elsewhere', row.seq);
      const r = cli(['verify', '--data', dir]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `medical-state: state tables \\(height \\d+\\): log position ${String(row.seq)}: state_records: the row differs`,
        ),
      );
      const { report } = verifyJson();
      assert.deepEqual(
        report.vault?.problems.map((p) => p.kind),
        ['medical-state'],
      );
    } finally {
      db.prepare('UPDATE state_records SET org = ? WHERE seq = ?').run(row.org, row.seq);
      db.close();
    }
    ok(cli(['verify', '--data', dir]));
  });

  it('reports erased data that came back as erasure-incomplete, and does not erase it itself', () => {
    // Come back in the table of ciphertexts kept by hash alone (vaults written before record ids).
    const db = new DatabaseSync(join(dir, 'vault.sqlite'));
    const key = Buffer.from(erasedBlob, 'hex');
    const has = (): boolean => db.prepare('SELECT 1 AS x FROM blobs WHERE hash = ?').get(key) !== undefined;
    try {
      assert.equal(has(), false);
      db.prepare('INSERT INTO blobs (hash, data) VALUES (?, ?)').run(key, Buffer.from('resurrected'));
      const { status, report } = verifyJson();
      assert.equal(status, 1);
      assert.deepEqual(
        report.vault?.problems.map((p) => [p.record, p.kind]),
        [[erased, 'erasure-incomplete']],
      );
      // verify reads only: opening the node would have carried the erasure out again.
      assert.equal(has(), true);
    } finally {
      db.prepare('DELETE FROM blobs WHERE hash = ?').run(key);
      db.close();
    }
  });
});
