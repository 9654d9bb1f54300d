/**
 * @module
 * The vital signs a doctor records from the chart, with their LOINC codes and UCUM units as in the
 * FHIR R4 vital signs profiles (https://hl7.org/fhir/R4/observation-vitalsigns.html), and the range
 * a typed value must fall in to be plausible for a person (it catches typos, not disease).
 */
export interface VitalPart {
  readonly loinc: string;
  readonly display: string;
  /** Label of the input. */
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

export interface Vital {
  readonly key: string;
  readonly label: string;
  readonly loinc: string;
  readonly display: string;
  /** UCUM code (Quantity.code) and what people read (Quantity.unit). */
  readonly ucum: string;
  readonly unit: string;
  readonly decimals: number;
  /** One value, or one per component (blood pressure: systolic and diastolic). */
  readonly parts: readonly VitalPart[];
}

const one = (loinc: string, display: string, label: string, min: number, max: number): VitalPart[] => [
  { loinc, display, label, min, max },
];

export const VITALS: readonly Vital[] = [
  {
    key: 'bp',
    label: 'Blood pressure',
    loinc: '85354-6',
    display: 'Blood pressure panel with all children optional',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    decimals: 0,
    parts: [
      { loinc: '8480-6', display: 'Systolic blood pressure', label: 'Systolic', min: 50, max: 260 },
      { loinc: '8462-4', display: 'Diastolic blood pressure', label: 'Diastolic', min: 20, max: 160 },
    ],
  },
  {
    key: 'hr',
    label: 'Heart rate',
    loinc: '8867-4',
    display: 'Heart rate',
    ucum: '/min',
    unit: '/min',
    decimals: 0,
    parts: one('8867-4', 'Heart rate', 'Heart rate', 20, 250),
  },
  {
    key: 'rr',
    label: 'Respiratory rate',
    loinc: '9279-1',
    display: 'Respiratory rate',
    ucum: '/min',
    unit: '/min',
    decimals: 0,
    parts: one('9279-1', 'Respiratory rate', 'Respiratory rate', 4, 60),
  },
  {
    key: 'temp',
    label: 'Body temperature',
    loinc: '8310-5',
    display: 'Body temperature',
    ucum: 'Cel',
    unit: '°C',
    decimals: 1,
    parts: one('8310-5', 'Body temperature', 'Temperature', 30, 45),
  },
  {
    key: 'spo2',
    label: 'Oxygen saturation (SpO₂)',
    loinc: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    ucum: '%',
    unit: '%',
    decimals: 0,
    parts: one('59408-5', 'Oxygen saturation', 'SpO₂', 50, 100),
  },
  {
    key: 'weight',
    label: 'Body weight',
    loinc: '29463-7',
    display: 'Body weight',
    ucum: 'kg',
    unit: 'kg',
    decimals: 1,
    parts: one('29463-7', 'Body weight', 'Weight', 0.3, 400),
  },
  {
    key: 'height',
    label: 'Body height',
    loinc: '8302-2',
    display: 'Body height',
    ucum: 'cm',
    unit: 'cm',
    decimals: 1,
    parts: one('8302-2', 'Body height', 'Height', 20, 260),
  },
  {
    key: 'bmi',
    label: 'Body mass index (BMI)',
    loinc: '39156-5',
    display: 'Body mass index (BMI) [Ratio]',
    ucum: 'kg/m2',
    unit: 'kg/m2',
    decimals: 1,
    parts: one('39156-5', 'Body mass index', 'BMI', 8, 100),
  },
];

/** Checks one typed value against its part's range; returns the error or null. */
export function checkVital(part: VitalPart, unit: string, value: number | string): string | null {
  if (value === '' || typeof value !== 'number' || Number.isNaN(value))
    return `Enter the ${part.label.toLowerCase()}`;
  if (value < part.min || value > part.max)
    return `${part.label} must be between ${String(part.min)} and ${String(part.max)} ${unit}`;
  return null;
}
