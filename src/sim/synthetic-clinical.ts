/**
 * @module
 * Plausible measurement values for synthetic patients: growth by age, vital signs and laboratory
 * results that move with the patient's conditions and their treatment (a diabetic's HbA1c is high
 * at diagnosis and lower once on metformin). Values are loosely based on CDC growth charts and
 * common adult reference ranges; they are demo data, not clinical guidance. Internal to src/sim.
 */
import type { Faker } from '@faker-js/faker';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.2425 * DAY_MS;

/** Disease state at the time of a measurement. */
export type Control = 'absent' | 'untreated' | 'treated';

export interface Physique {
  readonly sex: 'male' | 'female';
  readonly birth: number;
  /** Multiplies the median height for age (0.93–1.07). */
  readonly heightFactor: number;
  /** Multiplies the median child weight for age. */
  readonly childWeightFactor: number;
  /** Body-mass index at 18; drifts up slowly with age. */
  readonly adultBmi: number;
  /** Personal offset of systolic pressure in mm[Hg]. */
  readonly bpOffset: number;
}

export interface VitalsState {
  readonly hypertension: Control;
  readonly fever: boolean;
}

export interface Vitals {
  readonly weight: number;
  readonly height: number;
  readonly bmi: number | undefined;
  readonly heartRate: number;
  readonly temperature: number;
  readonly systolic: number | undefined;
  readonly diastolic: number | undefined;
}

// Median height (cm) and weight (kg) by age in years, roughly the CDC charts; [age, male, female].
const HEIGHT: readonly (readonly [number, number, number])[] = [
  [0, 50, 49],
  [1, 76, 74],
  [2, 87, 86],
  [3, 95, 94],
  [5, 110, 109],
  [8, 128, 127],
  [10, 138, 138],
  [12, 149, 151],
  [14, 163, 160],
  [16, 173, 162],
  [18, 176, 163],
];
const WEIGHT: readonly (readonly [number, number, number])[] = [
  [0, 3.5, 3.4],
  [1, 10.3, 9.6],
  [2, 12.7, 12.1],
  [3, 14.3, 13.9],
  [5, 18.4, 18.0],
  [8, 25.6, 25.6],
  [10, 32.0, 33.0],
  [12, 40.5, 42.0],
  [14, 51.0, 49.5],
  [16, 61.0, 54.0],
  [18, 68.0, 57.0],
];

function interpolate(
  table: readonly (readonly [number, number, number])[],
  age: number,
  male: boolean,
): number {
  const col = male ? 1 : 2;
  let prev = table[0]!;
  for (const row of table) {
    if (age <= row[0]) {
      if (row === prev) return row[col];
      const t = (age - prev[0]) / (row[0] - prev[0]);
      return prev[col] + t * (row[col] - prev[col]);
    }
    prev = row;
  }
  return prev[col];
}

/** A whole number of ms in [lo, hi] (faker wants integer bounds). */
export function between(f: Faker, lo: number, hi: number): number {
  return f.number.int({ min: Math.ceil(lo), max: Math.max(Math.ceil(lo), Math.floor(hi)) });
}

export function ageAt(p: Physique, at: number): number {
  return Math.max(0, (at - p.birth) / YEAR_MS);
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

/** Vital signs of a patient at a moment; blood pressure from age 3, BMI from age 2 (as in practice). */
export function vitalsAt(f: Faker, p: Physique, at: number, s: VitalsState): Vitals {
  const age = ageAt(p, at);
  const male = p.sex === 'male';
  const height = interpolate(HEIGHT, age, male) * p.heightFactor;
  const weight =
    age < 18
      ? interpolate(WEIGHT, age, male) * p.childWeightFactor
      : (p.adultBmi + Math.min(age - 18, 40) * 0.06) * (height / 100) ** 2;
  const noisyWeight = weight * f.number.float({ min: 0.98, max: 1.02 });
  const bmi = age >= 2 ? noisyWeight / (height / 100) ** 2 : undefined;
  const baseHr = age < 1 ? 130 : age < 6 ? 105 : age < 12 ? 90 : 72;
  const heartRate = Math.round(baseHr + f.number.float({ min: -10, max: 10 }) + (s.fever ? 15 : 0));
  const temperature = s.fever
    ? f.number.float({ min: 38.0, max: 39.4 })
    : f.number.float({ min: 36.4, max: 37.2 });
  let systolic: number | undefined;
  let diastolic: number | undefined;
  if (age >= 3) {
    const htn = { absent: 0, untreated: 30, treated: 12 }[s.hypertension];
    const base = age < 18 ? 95 + age : 110 + (age - 18) * 0.35;
    systolic = Math.round(base + p.bpOffset + htn + f.number.float({ min: -6, max: 6 }));
    diastolic = Math.round(
      Math.min(systolic - 25, 62 + Math.min(age, 50) * 0.2 + htn / 2 + f.number.float({ min: -5, max: 5 })),
    );
  }
  return {
    weight: round(noisyWeight, 1),
    height: round(height, 1),
    bmi: bmi === undefined ? undefined : round(bmi, 1),
    heartRate,
    temperature: round(temperature, 1),
    systolic,
    diastolic,
  };
}

export interface LabState {
  readonly diabetes: Control;
  readonly hyperlipidemia: Control;
}

/** HbA1c in %: normal below 5.7, diagnostic from 6.5 (ADA). */
export function hba1c(f: Faker, diabetes: Control): number {
  const [min, max] = { absent: [4.6, 5.6], untreated: [7.0, 9.8], treated: [6.2, 7.6] }[diabetes];
  return round(f.number.float({ min, max }), 1);
}

export interface MetabolicPanel {
  readonly glucose: number;
  readonly creatinine: number;
  readonly sodium: number;
  readonly potassium: number;
}

export function metabolicPanel(f: Faker, s: LabState): MetabolicPanel {
  const [min, max] = { absent: [72, 99], untreated: [150, 260], treated: [105, 160] }[s.diabetes];
  return {
    glucose: f.number.int({ min, max }),
    creatinine: round(f.number.float({ min: 0.6, max: 1.2 }), 2),
    sodium: f.number.int({ min: 136, max: 144 }),
    potassium: round(f.number.float({ min: 3.6, max: 5.0 }), 1),
  };
}

export interface LipidPanel {
  readonly cholesterol: number;
  readonly triglycerides: number;
  readonly ldl: number;
  readonly hdl: number;
}

/** Lipids in mg/dL; total = LDL + HDL + TG/5 (Friedewald), so the panel is self-consistent. */
export function lipidPanel(f: Faker, s: LabState): LipidPanel {
  const [lo, hi] = { absent: [70, 129], untreated: [160, 215], treated: [80, 125] }[s.hyperlipidemia];
  const ldl = f.number.int({ min: lo, max: hi });
  const hdl = f.number.int({ min: 38, max: 72 });
  const triglycerides = f.number.int(
    s.diabetes === 'absent' ? { min: 60, max: 160 } : { min: 150, max: 320 },
  );
  return { cholesterol: Math.round(ldl + hdl + triglycerides / 5), triglycerides, ldl, hdl };
}
