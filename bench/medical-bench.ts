/**
 * @module
 * Medical record benchmarks: record writes (validate, encrypt, wrap to 3 recipients, sign, commit) per
 * second, and the latency of a permitted read (consent decision, unwrap, decrypt, access event) in
 * process. Writes bench/results/medical.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResources } from '../src/medical/importer.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { writeResult } from './results.ts';
import { heartRateReading } from '../src/sim/synthetic-fhir.ts';

export interface MedicalBenchOptions {
  readonly records: number;
  readonly reads: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

const PW = 'benchmark password';

function observation(i: number, patient: string): Record<string, unknown> {
  return heartRateReading(patient, 60 + (i % 40), new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString());
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function runMedicalBench(opts: MedicalBenchOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'medledger-medbench-'));
  try {
    const { node } = await MedicalNode.open(join(dir, 'node'), {
      adminPassword: PW,
      kdf: { N: 2 ** 12, r: 8, p: 1 },
    });
    await node.createOrganization('second', 'Second Hospital');
    const patients = Array.from({ length: 20 }, (_, i) => `bench-patient-${String(i)}`);
    await writeResources(
      node,
      patients.map((id) => ({ resourceType: 'Patient', id, gender: 'unknown' })),
    );
    // Three recipients per record: the patient's key, the authoring organization, a consented organization.
    await node.createUser({
      email: 'p0@bench.example',
      name: 'P',
      password: PW,
      role: 'patient',
      patientId: patients[0]!,
    });
    await node.createUser({
      email: 'd@bench.example',
      name: 'D',
      password: PW,
      role: 'doctor',
    });
    for (const [i, id] of patients.entries()) {
      if (i === 0) continue;
      await node.createUser({
        email: `p${String(i)}@bench.example`,
        name: 'P',
        password: PW,
        role: 'patient',
        patientId: id,
      });
    }
    for (const [i] of patients.entries()) {
      const s = node.login(`p${String(i)}@bench.example`, PW);
      await node.as(s).grantConsent({
        grantee: { kind: 'organization', orgId: 'second' },
        purpose: 'treatment',
        validTo: node.now + 365 * 86_400_000,
      });
    }
    await node.commit();

    opts.log(`writing ${String(opts.records)} records (validate, encrypt, wrap ×3, sign, commit)…`);
    const resources = Array.from({ length: opts.records }, (_, i) =>
      observation(i, patients[i % patients.length]!),
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const ids = await writeResources(node, resources);
    const writeMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const wraps = node.vault.keysOf(ids[0]!).size;

    opts.log(`reading ${String(opts.reads)} records as a doctor…`);
    const d = node.as(node.login('d@bench.example', PW));
    const times: number[] = [];
    for (let i = 0; i < opts.reads; i++) {
      const id = ids[(i * 7919) % ids.length]!;
      const s = performance.now();
      await d.getRecord(id);
      times.push(performance.now() - s);
      if (node.ledger.pendingCount >= 1000) await node.commit();
    }
    await node.commit();
    await node.close();
    const result = {
      benchmark: 'medical',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      records: opts.records,
      recipientsPerRecord: wraps,
      recordWritesPerSec: Math.round((opts.records / writeMs) * 1000),
      // Every thread of the process (main, sealing and signature workers), per record written.
      writeCpuMicrosPerRecord: Math.round((cpu.user + cpu.system) / opts.records),
      readMillisP50: Number(percentile(times, 50).toFixed(3)),
      readMillisP99: Number(percentile(times, 99).toFixed(3)),
    };
    for (const [k, v] of Object.entries(result))
      if (typeof v !== 'object') opts.log(`${k.padEnd(22)} ${String(v)}`);
    writeResult(opts.out, result);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
