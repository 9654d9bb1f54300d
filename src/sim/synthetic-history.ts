/**
 * @module
 * A synthetic patient's chart: walks the planned encounters (synthetic-visits.ts) in time order and
 * writes at each the FHIR R4 resources a chart would hold (Encounter, Condition, MedicationStatement,
 * vital-sign and laboratory Observations, DiagnosticReport, Procedure, DocumentReference). Values
 * depend on the patient's state at that moment (untreated at diagnosis, treated afterwards), so the
 * record tells one consistent story. Internal to src/sim.
 */
import type { Faker } from '@faker-js/faker';
import type {
  Condition,
  DocumentReference,
  Encounter,
  MedicationStatement,
  Procedure,
  Reference,
} from '@medplum/fhirtypes';
import {
  ENCOUNTER_CLASS,
  ENCOUNTER_TYPE,
  NOTE_TYPE,
  PANEL,
  PROCEDURE,
  type Code,
} from './synthetic-catalogue.ts';
import { CONDITIONS, type ConditionKey } from './synthetic-conditions.ts';
import {
  DAY_MS,
  HOUR_MS,
  ageAt,
  hba1c,
  lipidPanel,
  metabolicPanel,
  vitalsAt,
  type Control,
} from './synthetic-clinical.ts';
import { add, bloodPressure, cc, iso, labPanel, ref, vitalObservation, type Sink } from './synthetic-fhir.ts';
import { planVisits, type HistoryFacts, type Visit } from './synthetic-visits.ts';

const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const DOC_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category';

interface Chart {
  readonly conditions: Map<ConditionKey, Condition & { id: string }>;
  readonly medications: string[];
}

function control(chart: Chart, key: ConditionKey, v: Visit): Control {
  if (v.kind === 'diagnosis' && v.condition === key) return 'untreated';
  return chart.conditions.has(key) ? 'treated' : 'absent';
}

function encounterFor(v: Visit, facts: HistoryFacts, sink: Sink, chart: Chart): Encounter & { id: string } {
  const condition = v.condition === undefined ? undefined : CONDITIONS[v.condition];
  const type =
    v.cls === 'EMER'
      ? ENCOUNTER_TYPE.emergency
      : v.cls === 'IMP'
        ? ENCOUNTER_TYPE.admission
        : {
            diagnosis: ENCOUNTER_TYPE.symptom,
            followup: ENCOUNTER_TYPE.followup,
            checkup: ENCOUNTER_TYPE.checkup,
          }[v.kind];
  const known = v.kind === 'followup' ? chart.conditions.get(v.condition!) : undefined;
  const child = ageAt(facts.physique, v.start) < 18;
  return add<Encounter>(sink, {
    resourceType: 'Encounter',
    status: 'finished',
    class: ENCOUNTER_CLASS[v.cls],
    type: [cc(type)],
    subject: sink.patient,
    participant: [{ individual: { display: facts.doctor } }],
    period: { start: iso(v.start), end: iso(v.end) },
    reasonCode: [
      condition ? cc(condition.code) : { text: child ? 'Well-child visit' : 'Routine health check-up' },
    ],
    ...(known ? { reasonReference: [ref(known, known.code?.text)] } : {}),
    serviceProvider: { display: facts.orgName },
  });
}

function diagnose(
  v: Visit,
  key: ConditionKey,
  facts: HistoryFacts,
  sink: Sink,
  chart: Chart,
  encounter: Reference<Encounter>,
): string {
  const def = CONDITIONS[key];
  const abated = def.resolvesInDays === undefined ? undefined : v.start + def.resolvesInDays * DAY_MS;
  const resolved = abated !== undefined && abated <= facts.now;
  const condition = add<Condition>(sink, {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: resolved ? 'resolved' : 'active' }] },
    verificationStatus: { coding: [{ system: CONDITION_VER, code: 'confirmed' }] },
    category: [
      def.chronic
        ? {
            coding: [{ system: CONDITION_CATEGORY, code: 'problem-list-item', display: 'Problem List Item' }],
          }
        : {
            coding: [
              { system: CONDITION_CATEGORY, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' },
            ],
          },
    ],
    code: cc(def.code),
    subject: sink.patient,
    encounter,
    onsetDateTime: iso(v.start),
    ...(resolved ? { abatementDateTime: iso(abated) } : {}),
    recordedDate: iso(v.start),
  });
  chart.conditions.set(key, condition);
  const reason = [ref(condition, condition.code?.text)];
  for (const med of def.medications) {
    if (med.penicillin === true && facts.penicillinAllergy) continue;
    const days = med.courseDays ?? def.resolvesInDays;
    const end = days === undefined ? undefined : v.start + days * DAY_MS;
    const done = end !== undefined && end <= facts.now;
    add<MedicationStatement>(sink, {
      resourceType: 'MedicationStatement',
      status: done ? 'completed' : 'active',
      medicationCodeableConcept: cc(med.code),
      subject: sink.patient,
      context: encounter,
      effectivePeriod: done ? { start: iso(v.start), end: iso(end) } : { start: iso(v.start) },
      dateAsserted: iso(v.end),
      reasonReference: reason,
      dosage: [{ text: med.dosage }],
    });
    if (!done) chart.medications.push(med.name);
  }
  if (def.diagnosticProcedure) procedure(v, def.diagnosticProcedure, sink, encounter, reason);
  const withheld = facts.penicillinAllergy && def.medications.some((m) => m.penicillin === true);
  const allergyNote = withheld ? ' Penicillin allergy: amoxicillin not given.' : '';
  return `Diagnosed ${String(condition.code?.text)}. ${def.plan}${allergyNote}`;
}

function procedure(
  v: Visit,
  code: Code,
  sink: Sink,
  encounter: Reference<Encounter>,
  reason?: Reference<Condition>[],
): void {
  const start = v.start + Math.min(v.end - v.start, 10 * 60_000) / 2;
  add<Procedure>(sink, {
    resourceType: 'Procedure',
    status: 'completed',
    code: cc(code),
    subject: sink.patient,
    encounter,
    performedPeriod: { start: iso(start), end: iso(Math.min(v.end, start + HOUR_MS)) },
    ...(reason ? { reasonReference: reason } : {}),
  });
}

/** Lab panels ordered at a visit, as [label, value] lines for the note. */
function labs(
  f: Faker,
  v: Visit,
  facts: HistoryFacts,
  sink: Sink,
  chart: Chart,
  encounter: Reference<Encounter>,
): string[] {
  const at = v.start + Math.min(v.end - v.start, 20 * 60_000) / 2;
  const c = {
    encounter,
    at,
    issued: Math.min(facts.now, at + f.number.int({ min: HOUR_MS, max: 24 * HOUR_MS })),
  };
  const state = {
    diabetes: control(chart, 'diabetes', v),
    hyperlipidemia: control(chart, 'hyperlipidemia', v),
  };
  const adult = ageAt(facts.physique, v.start) >= 18;
  const checkup = v.kind === 'checkup' && adult;
  const lines: string[] = [];
  if (state.diabetes !== 'absent' || v.cls !== 'AMB' || (checkup && f.datatype.boolean(0.6))) {
    const m = metabolicPanel(f, state);
    labPanel(sink, c, PANEL.metabolic, [
      ['glucose', m.glucose],
      ['creatinine', m.creatinine],
      ['sodium', m.sodium],
      ['potassium', m.potassium],
    ]);
    lines.push(`glucose ${String(m.glucose)} mg/dL`);
  }
  if (state.diabetes !== 'absent') {
    const value = hba1c(f, state.diabetes);
    labPanel(sink, c, PANEL.hba1c, [['hba1c', value]]);
    lines.push(`HbA1c ${String(value)} %`);
  }
  if (
    state.hyperlipidemia !== 'absent' ||
    (checkup && ageAt(facts.physique, v.start) >= 35 && f.datatype.boolean(0.5))
  ) {
    const l = lipidPanel(f, state);
    labPanel(sink, c, PANEL.lipid, [
      ['cholesterol', l.cholesterol],
      ['triglycerides', l.triglycerides],
      ['ldl', l.ldl],
      ['hdl', l.hdl],
    ]);
    lines.push(`LDL ${String(l.ldl)} mg/dL`);
  }
  return lines;
}

function vitals(
  f: Faker,
  v: Visit,
  facts: HistoryFacts,
  sink: Sink,
  chart: Chart,
  encounter: Reference<Encounter>,
): string {
  const fever = v.kind === 'diagnosis' && CONDITIONS[v.condition!].fever === true;
  const s = vitalsAt(f, facts.physique, v.start, { hypertension: control(chart, 'hypertension', v), fever });
  const c = { encounter, at: v.start + Math.min(v.end - v.start, 10 * 60_000) / 2 };
  vitalObservation(sink, c, 'weight', s.weight);
  vitalObservation(sink, c, 'height', s.height);
  if (s.bmi !== undefined) vitalObservation(sink, c, 'bmi', s.bmi);
  vitalObservation(sink, c, 'heartRate', s.heartRate);
  vitalObservation(sink, c, 'temperature', s.temperature);
  const bp =
    s.systolic !== undefined && s.diastolic !== undefined
      ? `BP ${String(s.systolic)}/${String(s.diastolic)} mmHg, `
      : '';
  if (s.systolic !== undefined && s.diastolic !== undefined) bloodPressure(sink, c, s.systolic, s.diastolic);
  return `${bp}HR ${String(s.heartRate)}/min, T ${String(s.temperature)} °C, weight ${String(s.weight)} kg`;
}

function note(
  v: Visit,
  facts: HistoryFacts,
  sink: Sink,
  encounter: Reference<Encounter>,
  reason: string,
  body: readonly string[],
): void {
  const type = NOTE_TYPE[v.cls];
  const age = Math.floor(ageAt(facts.physique, v.start));
  const text = [
    `${type.display} — ${iso(v.start).slice(0, 10)}`,
    `Patient: ${facts.fullName}, ${String(age)}-year-old ${facts.physique.sex}.`,
    `Clinician: ${facts.doctor}, ${facts.orgName}.`,
    `Reason for visit: ${reason}.`,
    ...body,
  ].join('\n');
  add<DocumentReference>(sink, {
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'final',
    type: cc(type),
    category: [{ coding: [{ system: DOC_CATEGORY, code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: sink.patient,
    date: iso(v.end),
    author: [{ display: facts.doctor }],
    description: `${type.display}: ${reason}`,
    content: [
      {
        attachment: {
          contentType: 'text/plain',
          language: 'en-US',
          data: Buffer.from(text, 'utf8').toString('base64'),
          title: `${type.display} ${iso(v.start).slice(0, 10)}`,
          creation: iso(v.end),
        },
      },
    ],
    context: { encounter: [encounter], period: { start: iso(v.start), end: iso(v.end) } },
  });
}

/** Generates the history of one patient into `sink`; returns the first encounter and its start. */
export function generateHistory(
  f: Faker,
  facts: HistoryFacts,
  sink: Sink,
): { readonly encounter: Reference<Encounter>; readonly at: number } | undefined {
  const chart: Chart = { conditions: new Map(), medications: [] };
  let first: { readonly encounter: Reference<Encounter>; readonly at: number } | undefined;
  for (const v of planVisits(f, facts)) {
    const enc = encounterFor(v, facts, sink, chart);
    const encounter = ref(enc);
    first ??= { encounter, at: v.start };
    const reason = enc.reasonCode?.[0]?.text ?? 'visit';
    const body = [`Vitals: ${vitals(f, v, facts, sink, chart, encounter)}.`];
    let plan: string;
    if (v.kind === 'diagnosis') {
      plan = diagnose(v, v.condition!, facts, sink, chart, encounter);
    } else if (v.laterProcedure) {
      const surgery = CONDITIONS[v.condition!].laterProcedure!;
      procedure(v, surgery, sink, encounter, [ref(chart.conditions.get(v.condition!)!)]);
      plan = `Admitted for ${String(cc(surgery).text)}; discharged home with physiotherapy.`;
    } else {
      if (chart.medications.length > 0 && f.datatype.boolean(0.5)) {
        procedure(v, PROCEDURE.medicationReconciliation, sink, encounter);
      }
      if (v.kind === 'checkup' && ageAt(facts.physique, v.start) >= 50 && f.datatype.boolean(0.15)) {
        procedure(v, PROCEDURE.colonoscopy, sink, encounter);
      }
      const meds = [...new Set(chart.medications)];
      plan = [
        v.kind === 'followup' ? 'Condition stable on treatment.' : 'Preventive care reviewed.',
        meds.length > 0 ? `Continue ${meds.join(', ')}.` : 'No regular medications.',
        `Return in ${v.kind === 'followup' ? '3' : '12'} months.`,
      ].join(' ');
    }
    const results = labs(f, v, facts, sink, chart, encounter);
    if (results.length > 0) body.push(`Results: ${results.join('; ')}.`);
    note(v, facts, sink, encounter, reason, [...body, `Plan: ${plan}`]);
  }
  return first;
}
