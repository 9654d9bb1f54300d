/**
 * @module
 * Code catalogue for the synthetic patient generator: code system URIs and a small set of real
 * codes for encounters (HL7 v3 ActCode, SNOMED CT), observations and documents (LOINC, UCUM units),
 * vaccines (CVX), allergies and procedures (SNOMED CT) and languages (BCP 47). Conditions and their
 * drugs live in synthetic-conditions.ts. Choices follow the Synthea modules
 * (synthetichealth/synthea), so demo data looks like what FHIR tooling expects. Pure data.
 */

export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CVX = 'http://hl7.org/fhir/sid/cvx';
export const UCUM = 'http://unitsofmeasure.org';
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export interface Code {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export const sct = (code: string, display: string): Code => ({ system: SNOMED, code, display });
export const rx = (code: string, display: string): Code => ({ system: RXNORM, code, display });
const loinc = (code: string, display: string): Code => ({ system: LOINC, code, display });
const cvx = (code: string, display: string): Code => ({ system: CVX, code, display });

/** Encounter classes (HL7 v3 ActCode, the R4 Encounter.class value set). */
export const ENCOUNTER_CLASS = {
  AMB: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  EMER: { system: ACT_CODE, code: 'EMER', display: 'emergency' },
  IMP: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
} as const satisfies Record<string, Code>;
export type EncounterClass = keyof typeof ENCOUNTER_CLASS;

export const ENCOUNTER_TYPE = {
  checkup: sct('185349003', 'Encounter for check up (procedure)'),
  symptom: sct('185345009', 'Encounter for symptom (procedure)'),
  followup: sct('390906007', 'Follow-up encounter (procedure)'),
  emergency: sct('50849002', 'Emergency room admission (procedure)'),
  admission: sct('32485007', 'Hospital admission (procedure)'),
} as const satisfies Record<string, Code>;

/** Vital-sign and laboratory codes with their UCUM units. */
export const OBS = {
  weight: { code: loinc('29463-7', 'Body weight'), unit: 'kg' },
  height: { code: loinc('8302-2', 'Body height'), unit: 'cm' },
  bmi: { code: loinc('39156-5', 'Body mass index (BMI) [Ratio]'), unit: 'kg/m2' },
  heartRate: { code: loinc('8867-4', 'Heart rate'), unit: '/min' },
  temperature: { code: loinc('8310-5', 'Body temperature'), unit: 'Cel' },
  bloodPressure: { code: loinc('85354-6', 'Blood pressure panel with all children optional'), unit: '' },
  systolic: { code: loinc('8480-6', 'Systolic blood pressure'), unit: 'mm[Hg]' },
  diastolic: { code: loinc('8462-4', 'Diastolic blood pressure'), unit: 'mm[Hg]' },
  hba1c: { code: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), unit: '%' },
  glucose: { code: loinc('2339-0', 'Glucose [Mass/volume] in Blood'), unit: 'mg/dL' },
  creatinine: { code: loinc('38483-4', 'Creatinine [Mass/volume] in Blood'), unit: 'mg/dL' },
  sodium: { code: loinc('2947-0', 'Sodium [Moles/volume] in Blood'), unit: 'mmol/L' },
  potassium: { code: loinc('6298-4', 'Potassium [Moles/volume] in Blood'), unit: 'mmol/L' },
  cholesterol: { code: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), unit: 'mg/dL' },
  triglycerides: { code: loinc('2571-8', 'Triglycerides'), unit: 'mg/dL' },
  ldl: {
    code: loinc('18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay'),
    unit: 'mg/dL',
  },
  hdl: { code: loinc('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma'), unit: 'mg/dL' },
} as const satisfies Record<string, { code: Code; unit: string }>;
export type ObsKey = keyof typeof OBS;

export const PANEL = {
  lipid: loinc('57698-3', 'Lipid panel with direct LDL - Serum or Plasma'),
  metabolic: loinc('51990-0', 'Basic metabolic panel - Blood'),
  hba1c: OBS.hba1c.code,
} as const satisfies Record<string, Code>;

/** Note type by encounter class. */
export const NOTE_TYPE = {
  AMB: loinc('11506-3', 'Progress note'),
  EMER: loinc('34111-5', 'Emergency department Note'),
  IMP: loinc('18842-5', 'Discharge summary'),
} as const satisfies Record<EncounterClass, Code>;

export const VACCINE = {
  influenza: cvx('140', 'Influenza, seasonal, injectable, preservative free'),
  covid: cvx(
    '208',
    'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose',
  ),
  hepB: cvx('08', 'Hep B, adolescent or pediatric'),
  dtap: cvx('20', 'DTaP'),
  ipv: cvx('10', 'IPV'),
  mmr: cvx('03', 'MMR'),
  varicella: cvx('21', 'varicella'),
  tdap: cvx('115', 'Tdap'),
  td: cvx('113', 'Td (adult) preservative free'),
  zoster: cvx('187', 'zoster recombinant'),
  pneumococcal: cvx('33', 'pneumococcal polysaccharide vaccine, 23 valent'),
} as const satisfies Record<string, Code>;

/** Childhood schedule: vaccine and age in days at which it is given. */
export const CHILD_SCHEDULE: readonly { readonly vaccine: Code; readonly ageDays: number }[] = [
  { vaccine: VACCINE.hepB, ageDays: 1 },
  { vaccine: VACCINE.dtap, ageDays: 61 },
  { vaccine: VACCINE.ipv, ageDays: 61 },
  { vaccine: VACCINE.dtap, ageDays: 122 },
  { vaccine: VACCINE.mmr, ageDays: 366 },
  { vaccine: VACCINE.varicella, ageDays: 366 },
  { vaccine: VACCINE.tdap, ageDays: 11 * 365 + 30 },
];

export interface AllergyDef {
  readonly code: Code;
  readonly category: 'food' | 'medication' | 'environment';
  readonly criticality: 'low' | 'high';
  readonly reaction: Code;
  readonly penicillin?: boolean;
}

export const ALLERGIES: readonly AllergyDef[] = [
  {
    code: sct('91936005', 'Allergy to penicillin (finding)'),
    category: 'medication',
    criticality: 'high',
    reaction: sct('126485001', 'Urticaria (disorder)'),
    penicillin: true,
  },
  {
    code: sct('91935009', 'Allergy to peanuts (finding)'),
    category: 'food',
    criticality: 'high',
    reaction: sct('39579001', 'Anaphylaxis (disorder)'),
  },
  {
    code: sct('300913006', 'Shellfish allergy (finding)'),
    category: 'food',
    criticality: 'high',
    reaction: sct('126485001', 'Urticaria (disorder)'),
  },
  {
    code: sct('232350006', 'House dust mite allergy (finding)'),
    category: 'environment',
    criticality: 'low',
    reaction: sct('76067001', 'Sneezing (finding)'),
  },
  {
    code: sct('418689008', 'Allergy to grass pollen (finding)'),
    category: 'environment',
    criticality: 'low',
    reaction: sct('76067001', 'Sneezing (finding)'),
  },
  {
    code: sct('300916003', 'Latex allergy (finding)'),
    category: 'environment',
    criticality: 'high',
    reaction: sct('267036007', 'Dyspnea (finding)'),
  },
];

export const PROCEDURE = {
  medicationReconciliation: sct('430193006', 'Medication reconciliation (procedure)'),
  colonoscopy: sct('73761001', 'Colonoscopy (procedure)'),
} as const satisfies Record<string, Code>;

/** Communication languages (BCP 47) with rough weights for a US demo population. */
export const LANGUAGES: readonly { readonly weight: number; readonly value: Code }[] = [
  { weight: 85, value: { system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' } },
  { weight: 9, value: { system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' } },
  { weight: 2, value: { system: 'urn:ietf:bcp:47', code: 'zh', display: 'Chinese' } },
  { weight: 2, value: { system: 'urn:ietf:bcp:47', code: 'vi', display: 'Vietnamese' } },
  { weight: 2, value: { system: 'urn:ietf:bcp:47', code: 'fr', display: 'French' } },
];
