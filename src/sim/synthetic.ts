/**
 * @module
 * Synthetic patients and demo identities for MedLedger demos and seeding (`medledger seed`).
 * Each patient is a FHIR R4 Patient plus a ten-year history of resources that reference it
 * (see synthetic-history.ts). Output is a pure function of the options: a seeded faker
 * (@faker-js/faker) is the only source of randomness and `now` the only clock, so a seed
 * reproduces the same records byte for byte. Names, addresses and phone numbers are fictitious
 * (phone numbers in the 555-01xx range reserved for fiction, emails under the reserved .example TLD
 * of RFC 2606).
 */
import { Faker, en } from '@faker-js/faker';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { anat } from '../core/bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';
import { LANGUAGES } from './synthetic-catalogue.ts';
import { DAY_MS, type Physique } from './synthetic-clinical.ts';
import { isoDate, ref, type Sink } from './synthetic-fhir.ts';
import { generateHistory } from './synthetic-history.ts';
import { historyStart, type HistoryFacts } from './synthetic-visits.ts';
import { generateImmunizations, pickAllergies, recordAllergies } from './synthetic-prevention.ts';

export interface SyntheticPatient {
  readonly patient: Patient;
  /** Everything else about the patient; every reference points at the patient or a resource here. */
  readonly resources: readonly Resource[];
}

export interface SyntheticOptions {
  /** Seed of the generator; the same seed gives the same patients. Default 1. */
  readonly seed?: number;
  /** Reference time in ms since the epoch (default Date.now()); every clinical date is ≤ now. */
  readonly now?: number;
  /** Id factory; default: UUIDs from the seeded generator (deterministic). */
  readonly newId?: () => string;
}

export interface DemoUser {
  readonly email: string;
  readonly name: string;
  readonly role: 'admin' | 'doctor' | 'patient' | 'researcher' | 'auditor';
  /** Organization slug (see DEMO_ORGS). */
  readonly org: string;
}

/** Organizations of the demo consortium. */
export const DEMO_ORGS: readonly { readonly slug: string; readonly name: string }[] = [
  { slug: 'st-marys', name: "St Mary's Hospital" },
  { slug: 'riverside', name: 'Riverside Medical Center' },
];

const STAFF: readonly DemoUser[] = [
  { email: 'admin@stmarys.example', name: 'Alex Morgan', role: 'admin', org: 'st-marys' },
  { email: 'dr.chen@stmarys.example', name: 'Mei Chen', role: 'doctor', org: 'st-marys' },
  { email: 'dr.okafor@stmarys.example', name: 'Chidi Okafor', role: 'doctor', org: 'st-marys' },
  { email: 'dr.patel@riverside.example', name: 'Priya Patel', role: 'doctor', org: 'riverside' },
  { email: 'research@stmarys.example', name: 'Jordan Lee', role: 'researcher', org: 'st-marys' },
  { email: 'auditor@riverside.example', name: 'Sam Rivera', role: 'auditor', org: 'riverside' },
  // The account is named as the seeded patient it is linked to (cli/demo-data.ts).
  { email: 'patient@stmarys.example', name: 'Demo Patient', role: 'patient', org: 'st-marys' },
];

/**
 * Fixed, readable demo identities: an admin, two doctors at St Mary's and one at Riverside, a
 * researcher, an auditor and one patient login (for the CLI to link to a seeded patient).
 */
export function demoStaff(): readonly DemoUser[] {
  return STAFF;
}

const MRN_SYSTEM = 'urn:medledger:mrn';
const ORG_SYSTEM = 'urn:medledger:org';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function checkOptions(n: unknown, opts: SyntheticOptions): { seed: number; now: number } {
  anat(n, 'n');
  const seed = opts.seed ?? 1;
  anat(seed, 'seed');
  const now = opts.now ?? Date.now();
  anat(now, 'now');
  if (opts.newId !== undefined && typeof opts.newId !== 'function') {
    throw new ArgumentTypeError('newId', 'function', opts.newId);
  }
  return { seed, now };
}

function idFactory(f: Faker, custom: (() => string) | undefined): () => string {
  if (custom === undefined) return () => f.string.uuid();
  return () => {
    const id = custom();
    if (typeof id !== 'string' || !FHIR_ID.test(id)) {
      throw new ArgumentValueError('newId', 'must return a FHIR id ([A-Za-z0-9-.]{1,64})', { id });
    }
    return id;
  };
}

/** Lowercase ASCII letters of a name, for email local parts. */
function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z]/g, '');
}

function newPatient(f: Faker, sink: Pick<Sink, 'newId'>, now: number, mrns: Set<string>) {
  const gender = f.helpers.weightedArrayElement([
    { weight: 49, value: 'female' },
    { weight: 49, value: 'male' },
    { weight: 2, value: 'other' },
  ] as const);
  const sex = gender === 'other' ? f.helpers.arrayElement(['female', 'male'] as const) : gender;
  // Ages from 30 days to 95 years, so every patient has some history.
  const birth =
    now - f.number.int({ min: 30, max: 95 * 365 }) * DAY_MS - f.number.int({ min: 0, max: DAY_MS - 1 });
  const given = [f.person.firstName(sex), f.person.middleName(sex)];
  const family = f.person.lastName();
  let mrn: string;
  do mrn = `MRN-${f.string.numeric(10)}`;
  while (mrns.has(mrn));
  mrns.add(mrn);
  const org = f.helpers.arrayElement(DEMO_ORGS);
  const doctor = f.helpers.arrayElement(STAFF.filter((u) => u.role === 'doctor' && u.org === org.slug));
  const language = f.helpers.weightedArrayElement(LANGUAGES);
  const adult = now - birth >= 18 * 365 * DAY_MS;
  const patient: Patient & { id: string } = {
    resourceType: 'Patient',
    id: sink.newId(),
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: V2_0203, code: 'MR', display: 'Medical record number' }] },
        system: MRN_SYSTEM,
        value: mrn,
      },
    ],
    active: true,
    name: [{ use: 'official', family, given }],
    gender,
    birthDate: isoDate(birth),
    telecom: [
      {
        system: 'phone',
        value: `+1-${String(f.number.int({ min: 201, max: 989 }))}-555-01${f.string.numeric(2)}`,
        use: 'home',
      },
      ...(adult
        ? [
            {
              system: 'email' as const,
              value: `${slug(given[0]!)}.${slug(family)}@mail.example`,
              use: 'home' as const,
            },
          ]
        : []),
    ],
    address: [
      {
        use: 'home',
        type: 'physical',
        line: [f.location.streetAddress()],
        city: f.location.city(),
        state: f.location.state({ abbreviated: true }),
        postalCode: f.location.zipCode('#####'),
        country: 'US',
      },
    ],
    communication: [
      {
        language: { coding: [{ ...language }], text: language.display },
        preferred: true,
      },
    ],
    generalPractitioner: [{ display: `Dr. ${doctor.name}` }],
    managingOrganization: { identifier: { system: ORG_SYSTEM, value: org.slug }, display: org.name },
  };
  const physique: Physique = {
    sex,
    birth,
    heightFactor: f.number.float({ min: 0.93, max: 1.07 }),
    childWeightFactor: f.number.float({ min: 0.85, max: 1.25 }),
    adultBmi: f.number.float({ min: 19, max: 31 }),
    bpOffset: f.number.float({ min: -8, max: 10 }),
  };
  return {
    patient,
    physique,
    fullName: `${given[0]!} ${family}`,
    doctor: `Dr. ${doctor.name}`,
    orgName: org.name,
  };
}

/**
 * Generates `n` synthetic patients with their histories. Deterministic: the same `seed`, `now`
 * and `newId` give the same output, and the first k patients of a run do not depend on n.
 *
 * @example
 * ```ts
 * const [p] = syntheticPatients(1, { seed: 7, now: Date.UTC(2025, 0, 1) });
 * p.patient.name?.[0]?.family; // deterministic for seed 7
 * p.resources.filter((r) => r.resourceType === 'Encounter').length; // 2–8
 * ```
 */
export function syntheticPatients(n: number, opts: SyntheticOptions = {}): SyntheticPatient[] {
  const { seed, now } = checkOptions(n, opts);
  const f = new Faker({ locale: [en] });
  f.seed(seed);
  f.setDefaultRefDate(now);
  const newId = idFactory(f, opts.newId);
  const mrns = new Set<string>();
  const out: SyntheticPatient[] = [];
  for (let i = 0; i < n; i++) {
    const p = newPatient(f, { newId }, now, mrns);
    const sink: Sink = { newId, patient: ref(p.patient), out: [] };
    const allergies = pickAllergies(f);
    const facts: HistoryFacts = {
      physique: p.physique,
      fullName: p.fullName,
      doctor: p.doctor,
      orgName: p.orgName,
      penicillinAllergy: allergies.some((a) => a.penicillin === true),
      now,
    };
    const first = generateHistory(f, facts, sink);
    // Allergies are taken down at the first encounter.
    recordAllergies(sink, allergies, first ?? { at: now, encounter: undefined });
    generateImmunizations(f, sink, { birth: p.physique.birth, from: historyStart(facts), now });
    out.push({ patient: p.patient, resources: sink.out });
  }
  return out;
}
