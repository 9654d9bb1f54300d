/**
 * @module
 * Planning a synthetic patient's encounters over the last ten years: 1–4 conditions picked by age
 * and prevalence, an encounter to diagnose each (ambulatory, emergency or inpatient, HL7 v3
 * ActCode), then follow-ups of chronic conditions and check-ups, 2–8 encounters in all, each within
 * [birth, now]. Only times and kinds here; synthetic-history.ts turns them into FHIR resources.
 */
import type { Faker } from '@faker-js/faker';
import type { EncounterClass } from './synthetic-catalogue.ts';
import { CONDITIONS, type ConditionKey } from './synthetic-conditions.ts';
import { DAY_MS, HOUR_MS, YEAR_MS, between, type Physique } from './synthetic-clinical.ts';

/** What the history needs to know about the patient. */
export interface HistoryFacts {
  readonly physique: Physique;
  readonly fullName: string;
  readonly doctor: string;
  readonly orgName: string;
  readonly penicillinAllergy: boolean;
  readonly now: number;
}

export type VisitKind = 'diagnosis' | 'followup' | 'checkup';
export interface Visit {
  readonly start: number;
  readonly end: number;
  readonly cls: EncounterClass;
  readonly kind: VisitKind;
  readonly condition: ConditionKey | undefined;
  readonly laterProcedure: boolean;
}

const DURATION: Record<EncounterClass, readonly [number, number]> = {
  AMB: [15 * 60_000, HOUR_MS],
  EMER: [2 * HOUR_MS, 8 * HOUR_MS],
  IMP: [2 * DAY_MS, 7 * DAY_MS],
};

/** Start of the history: ten years back, or the day after birth. */
export function historyStart(facts: HistoryFacts): number {
  return Math.ceil(Math.max(facts.physique.birth + DAY_MS, facts.now - 10 * YEAR_MS));
}

/** A visit of class `cls` near `at`, moved so that birth < start ≤ end ≤ now. */
function visit(
  f: Faker,
  facts: HistoryFacts,
  at: number,
  cls: EncounterClass,
  kind: VisitKind,
  condition?: ConditionKey,
  later = false,
): Visit {
  const [min, max] = DURATION[cls];
  const duration = f.number.int({ min, max });
  const start = Math.max(facts.physique.birth + HOUR_MS, Math.min(at, facts.now - duration));
  const end = Math.min(facts.now, start + duration);
  return { start, end, cls, kind, condition, laterProcedure: later };
}

/** Picks 1–4 conditions a person of this age could have had in the window, by prevalence. */
function pickConditions(f: Faker, facts: HistoryFacts, from: number): { key: ConditionKey; onset: number }[] {
  const birth = facts.physique.birth;
  const windows = new Map<ConditionKey, readonly [number, number]>();
  for (const [key, def] of Object.entries(CONDITIONS) as [
    ConditionKey,
    (typeof CONDITIONS)[ConditionKey],
  ][]) {
    const lo = Math.max(from, birth + def.minAge * YEAR_MS);
    const hi = Math.min(facts.now - HOUR_MS, birth + def.maxAge * YEAR_MS);
    if (hi - lo > DAY_MS) windows.set(key, [lo, hi]);
  }
  const want = f.number.int({ min: 1, max: 4 });
  const picked: { key: ConditionKey; onset: number }[] = [];
  while (picked.length < want && windows.size > 0) {
    const key = f.helpers.weightedArrayElement(
      [...windows.keys()].map((k) => ({ weight: CONDITIONS[k].weight, value: k })),
    );
    const [lo, hi] = windows.get(key)!;
    windows.delete(key);
    picked.push({ key, onset: between(f, lo, hi) });
  }
  return picked;
}

/** Plans 2–8 encounters: one per diagnosis, then follow-ups of chronic conditions and check-ups. */
export function planVisits(f: Faker, facts: HistoryFacts): Visit[] {
  const from = historyStart(facts);
  const conditions = pickConditions(f, facts, from);
  const visits = conditions.map(({ key, onset }) =>
    visit(f, facts, onset, f.helpers.weightedArrayElement(CONDITIONS[key].settings), 'diagnosis', key),
  );
  const total = f.number.int({ min: Math.max(2, visits.length), max: 8 });
  let replaced = false;
  while (visits.length < total) {
    const at = between(f, from, facts.now - HOUR_MS);
    // A follow-up may be moved up to a week earlier to end before now: keep it after its diagnosis.
    const chronic = visits.filter(
      (v) => v.kind === 'diagnosis' && v.start < at - 8 * DAY_MS && CONDITIONS[v.condition!].chronic,
    );
    if (chronic.length > 0 && f.datatype.boolean(0.6)) {
      const key = f.helpers.arrayElement(chronic).condition!;
      const surgery: boolean =
        !replaced && CONDITIONS[key].laterProcedure !== undefined && f.datatype.boolean(0.4);
      replaced ||= surgery;
      visits.push(visit(f, facts, at, surgery ? 'IMP' : 'AMB', 'followup', key, surgery));
    } else {
      visits.push(visit(f, facts, at, 'AMB', 'checkup'));
    }
  }
  // Diagnosis before follow-up at equal times, so a follow-up always finds its Condition.
  const rank: Record<VisitKind, number> = { diagnosis: 0, followup: 1, checkup: 2 };
  return visits.sort((a, b) => a.start - b.start || rank[a.kind] - rank[b.kind]);
}
