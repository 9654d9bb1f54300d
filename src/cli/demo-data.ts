/**
 * @module
 * Demo data for a node, shared by `seed` and `serve --demo`: the demo organizations, `n` synthetic
 * patients with histories (written by the node) and the demo users for every role, who all get the
 * demo password (MEDLEDGER_DEMO_PASSWORD overrides it). Users that exist already are kept.
 */
import { writeResources } from '../node/importer.ts';
import type { MedicalNode } from '../node/medical-node.ts';
import { DEMO_ORGS, demoStaff, syntheticPatients } from '../sim/synthetic.ts';
import { progress } from './options.ts';

/** The demo password of seeded users (demo data only). */
export const DEMO_PASSWORD = 'medledger-demo';

export function demoPassword(): string {
  return process.env.MEDLEDGER_DEMO_PASSWORD ?? DEMO_PASSWORD;
}

export interface SeedSummary {
  readonly patients: number;
  readonly records: number;
  readonly password: string;
  readonly users: readonly { email: string; role: string; org: string }[];
}

/** Seeds an open node: demo organizations, `n` synthetic patients (generator seed `seed`), demo users. */
export async function seedNode(node: MedicalNode, n: number, seed = 1): Promise<SeedSummary> {
  const password = demoPassword();
  for (const o of DEMO_ORGS) if (!node.ledger.hasOrg(o.slug)) await node.createOrganization(o.slug, o.name);
  const patients = syntheticPatients(n, { seed, now: node.now });
  const bar = progress('creating patients');
  let records = 0;
  for (const [i, p] of patients.entries()) {
    records += (await writeResources(node, [p.patient, ...p.resources])).length;
    bar.update(i + 1, patients.length);
  }
  bar.stop();
  const users = [];
  for (const u of demoStaff()) {
    if (!node.accounts.byEmail(u.email)) {
      if (u.role === 'patient' && !patients[0]) continue;
      await node.createUser({
        email: u.email,
        name: u.name,
        password,
        role: u.role,
        org: u.org,
        ...(u.role === 'patient' ? { patientId: patients[0]!.patient.id! } : {}),
      });
    }
    users.push(u);
  }
  return { patients: patients.length, records, password, users };
}
