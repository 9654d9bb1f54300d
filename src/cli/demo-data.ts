/**
 * @module
 * Demo data for a node, shared by `seed` and `serve --demo`: the demo organizations, `n` synthetic
 * patients with histories (written by the node) and the demo users for every role, who all get the
 * demo password (MEDLEDGER_DEMO_PASSWORD overrides it). Users that exist already are kept.
 *
 * So that every role has something to see, patients consent as real patients would: the demo
 * patient login (named as its patient) consents to research at St Mary's and to treatment by the
 * Riverside doctor, and every third other patient enrols and consents to research at St Mary's,
 * which puts them in the demo researcher's cohort.
 */
import type { Patient } from '@medplum/fhirtypes';
import { writeResources } from '../medical/importer.ts';
import type { MedicalNode } from '../medical/medical-node.ts';
import { sourceValue } from '../fhir/omop-codes.ts';
import { CONDITIONS } from '../sim/synthetic-conditions.ts';
import { DEMO_ORGS, demoStaff, syntheticPatients } from '../sim/synthetic.ts';
import { progress } from './options.ts';

/** Every RESEARCH_EVERY-th synthetic patient, at most RESEARCH_MAX, enrols and consents to research. */
const RESEARCH_EVERY = 3;
const RESEARCH_MAX = 50;
const CONSENT_DAYS = 2 * 365;
const RIVERSIDE_DOCTOR = 'dr.patel@riverside.example';
const RESEARCH_ORG = 'st-marys';

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
  /** Patients with a research consent for St Mary's. */
  readonly researchConsents: number;
}

/** The name a patient is shown under: the official (else first) name, given names then family. */
export function patientName(p: Patient): string {
  const n = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  return [...(n?.given ?? []), n?.family ?? ''].join(' ').trim() || 'Demo Patient';
}

/**
 * Seeds an open node: demo organizations, `n` synthetic patients (generator seed `seed`), demo users,
 * and with `consents` the patients' consents of the module comment (`serve --demo` asks for them;
 * tests start from none).
 */
export async function seedNode(
  node: MedicalNode,
  n: number,
  seed = 1,
  opts: { readonly consents?: boolean } = {},
): Promise<SeedSummary> {
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
        name: u.role === 'patient' ? patientName(patients[0]!.patient) : u.name,
        password,
        role: u.role,
        org: u.org,
        ...(u.role === 'patient' ? { patientId: patients[0]!.patient.id! } : {}),
      });
    }
    users.push(u);
  }
  const researchConsents = opts.consents === true ? await demoConsents(node, patients, password) : 0;
  return { patients: patients.length, records, password, users, researchConsents };
}

/** The consents described in the module comment; returns how many patients consented to research. */
async function demoConsents(
  node: MedicalNode,
  patients: readonly { readonly patient: Patient }[],
  password: string,
): Promise<number> {
  const validTo = node.now + CONSENT_DAYS * 86_400_000;
  const research = {
    grantee: { kind: 'organization', orgId: RESEARCH_ORG },
    purpose: 'research',
    validTo,
  } as const;
  const login = demoStaff().find((u) => u.role === 'patient');
  const doctor = node.accounts.byEmail(RIVERSIDE_DOCTOR);
  let consented = 0;
  if (login && patients[0] && node.accounts.byEmail(login.email)) {
    const me = node.as(node.login(login.email, password));
    await me.grantConsent(research);
    if (doctor)
      await me.grantConsent({
        grantee: { kind: 'practitioner', keyId: doctor.keyId },
        purpose: 'treatment',
        validTo,
      });
    consented++;
  }
  const bar = progress('research consents');
  const chosen = patients.filter((_, i) => i > 0 && i % RESEARCH_EVERY === 0).slice(0, RESEARCH_MAX);
  for (const [i, { patient }] of chosen.entries()) {
    const email = `patient.${patient.id!}@patients.example`;
    if (node.accounts.byEmail(email)) continue;
    await node.createUser({
      email,
      name: patientName(patient),
      password,
      role: 'patient',
      org: RESEARCH_ORG,
      patientId: patient.id!,
    });
    await node.as(await node.loginAsync(email, password)).grantConsent(research);
    consented++;
    bar.update(i + 1, chosen.length);
  }
  bar.stop();
  return consented;
}

/**
 * Display names of the condition codes the synthetic data uses (SNOMED CT, by OMOP source value, the
 * semantic tag dropped), for the research cohort counts.
 */
export function conditionNames(): ReadonlyMap<string, string> {
  return new Map(
    Object.values(CONDITIONS).map((c) => [sourceValue(c.code)!, c.code.display.replace(/ \([^)]*\)$/, '')]),
  );
}
