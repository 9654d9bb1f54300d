/**
 * @module
 * Conditions the synthetic generator can give a patient (SNOMED CT) and the drugs that treat them
 * (RxNorm): ages of onset, relative prevalence, where each is usually diagnosed, how long acute ones
 * last, and the plan a clinician would write. Codes follow the Synthea modules
 * (synthetichealth/synthea). Pure data, no randomness.
 */
import { rx, sct, type Code, type EncounterClass } from './synthetic-catalogue.ts';

export interface MedicationDef {
  readonly code: Code;
  /** Short name for clinical notes. */
  readonly name: string;
  readonly dosage: string;
  /** Length of a course in days; absent for long-term treatment. */
  readonly courseDays?: number;
  /** Left out for patients allergic to penicillin. */
  readonly penicillin?: boolean;
}

export interface ConditionDef {
  readonly code: Code;
  readonly chronic: boolean;
  /** Youngest and oldest age (years) at onset. */
  readonly minAge: number;
  readonly maxAge: number;
  /** Relative prevalence among eligible conditions. */
  readonly weight: number;
  /** Where it is diagnosed, with weights. */
  readonly settings: readonly { readonly weight: number; readonly value: EncounterClass }[];
  readonly medications: readonly MedicationDef[];
  /** Done when the condition is diagnosed (e.g. spirometry for asthma). */
  readonly diagnosticProcedure?: Code;
  /** Done at a later hospital stay (e.g. knee replacement for osteoarthritis). */
  readonly laterProcedure?: Code;
  /** Days until an acute condition resolves. */
  readonly resolvesInDays?: number;
  readonly fever?: boolean;
  readonly plan: string;
}

const office = [{ weight: 1, value: 'AMB' }] as const;
const acuteCare = [
  { weight: 6, value: 'AMB' },
  { weight: 2, value: 'EMER' },
] as const;

const MED = {
  lisinopril: {
    name: 'lisinopril 10 mg',
    code: rx('314076', 'lisinopril 10 MG Oral Tablet'),
    dosage: '10 mg by mouth once daily',
  },
  hctz: {
    name: 'hydrochlorothiazide 25 mg',
    code: rx('310798', 'Hydrochlorothiazide 25 MG Oral Tablet'),
    dosage: '25 mg by mouth once daily',
  },
  metformin: {
    name: 'metformin ER 500 mg',
    code: rx('860975', '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet'),
    dosage: '500 mg by mouth once daily with the evening meal',
  },
  albuterol: {
    name: 'albuterol inhaler',
    code: rx('745679', '200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler'),
    dosage: '2 puffs inhaled every 4 to 6 hours as needed for wheezing',
  },
  fluticasone: {
    name: 'fluticasone inhaler',
    code: rx('895994', '120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler'),
    dosage: '2 puffs inhaled twice daily',
  },
  advair: {
    name: 'fluticasone/salmeterol inhaler',
    code: rx(
      '896209',
      '60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler',
    ),
    dosage: '1 inhalation twice daily',
  },
  atorvastatin: {
    name: 'atorvastatin 20 mg',
    code: rx('617312', 'atorvastatin 20 MG Oral Tablet'),
    dosage: '20 mg by mouth at bedtime',
  },
  sertraline: {
    name: 'sertraline 50 mg',
    code: rx('312940', 'sertraline 50 MG Oral Tablet'),
    dosage: '50 mg by mouth once daily',
  },
  acetaminophen: {
    name: 'acetaminophen',
    code: rx('313782', 'Acetaminophen 325 MG Oral Tablet'),
    dosage: '650 mg by mouth every 6 hours as needed for pain or fever',
    courseDays: 7,
  },
  ibuprofen: {
    name: 'ibuprofen',
    code: rx('310965', 'Ibuprofen 200 MG Oral Tablet'),
    dosage: '400 mg by mouth every 8 hours as needed for pain',
  },
  amoxicillin: {
    name: 'amoxicillin 500 mg',
    code: rx('308192', 'Amoxicillin 500 MG Oral Tablet'),
    dosage: '500 mg by mouth three times daily for 10 days',
    courseDays: 10,
    penicillin: true,
  },
  amoxiClav: {
    name: 'amoxicillin/clavulanate',
    code: rx('562251', 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet'),
    dosage: '1 tablet by mouth three times daily for 7 days',
    courseDays: 7,
    penicillin: true,
  },
} as const satisfies Record<string, MedicationDef>;

const CONDITION_DEFS = {
  hypertension: {
    code: sct('38341003', 'Hypertensive disorder, systemic arterial (disorder)'),
    chronic: true,
    minAge: 30,
    maxAge: 120,
    weight: 10,
    settings: office,
    medications: [MED.lisinopril, MED.hctz],
    plan: 'Start lisinopril and hydrochlorothiazide; low-salt diet; recheck blood pressure in 4 weeks.',
  },
  diabetes: {
    code: sct('44054006', 'Diabetes mellitus type 2 (disorder)'),
    chronic: true,
    minAge: 30,
    maxAge: 120,
    weight: 6,
    settings: office,
    medications: [MED.metformin],
    plan: 'Start metformin; diabetes education; repeat HbA1c in 3 months.',
  },
  hyperlipidemia: {
    code: sct('55822004', 'Hyperlipidemia (disorder)'),
    chronic: true,
    minAge: 30,
    maxAge: 120,
    weight: 8,
    settings: office,
    medications: [MED.atorvastatin],
    plan: 'Start atorvastatin; dietary advice; repeat lipid panel in 3 months.',
  },
  asthma: {
    code: sct('195967001', 'Asthma (disorder)'),
    chronic: true,
    minAge: 2,
    maxAge: 60,
    weight: 5,
    settings: acuteCare,
    medications: [MED.albuterol, MED.fluticasone],
    diagnosticProcedure: sct('23426006', 'Measurement of respiratory function (procedure)'),
    plan: 'Inhaled steroid twice daily, rescue inhaler as needed; asthma action plan given.',
  },
  copd: {
    code: sct('13645005', 'Chronic obstructive lung disease (disorder)'),
    chronic: true,
    minAge: 45,
    maxAge: 120,
    weight: 3,
    settings: [
      { weight: 3, value: 'AMB' },
      { weight: 1, value: 'IMP' },
    ],
    medications: [MED.advair, MED.albuterol],
    diagnosticProcedure: sct('23426006', 'Measurement of respiratory function (procedure)'),
    plan: 'Start fluticasone/salmeterol; smoking cessation counselling; pulmonary rehab referral.',
  },
  depression: {
    code: sct('370143000', 'Major depression disorder (disorder)'),
    chronic: true,
    minAge: 14,
    maxAge: 120,
    weight: 5,
    settings: office,
    medications: [MED.sertraline],
    diagnosticProcedure: sct('171207006', 'Depression screening (procedure)'),
    plan: 'Start sertraline; refer for cognitive behavioural therapy; review in 4 weeks.',
  },
  kneeOsteoarthritis: {
    code: sct('239873007', 'Osteoarthritis of knee (disorder)'),
    chronic: true,
    minAge: 50,
    maxAge: 120,
    weight: 4,
    settings: office,
    medications: [MED.ibuprofen],
    laterProcedure: sct('609588000', 'Total knee replacement (procedure)'),
    plan: 'Ibuprofen as needed; physiotherapy; weight management; review for surgery if no improvement.',
  },
  bronchitis: {
    code: sct('10509002', 'Acute bronchitis (disorder)'),
    chronic: false,
    minAge: 2,
    maxAge: 120,
    weight: 6,
    settings: acuteCare,
    resolvesInDays: 14,
    fever: true,
    medications: [MED.acetaminophen],
    plan: 'Rest, fluids and acetaminophen; return if breathless or fever beyond 3 days.',
  },
  sinusitis: {
    code: sct('444814009', 'Viral sinusitis (disorder)'),
    chronic: false,
    minAge: 3,
    maxAge: 120,
    weight: 7,
    settings: office,
    resolvesInDays: 10,
    medications: [MED.acetaminophen],
    plan: 'Saline nasal irrigation and acetaminophen; no antibiotics needed.',
  },
  pharyngitis: {
    code: sct('195662009', 'Acute viral pharyngitis (disorder)'),
    chronic: false,
    minAge: 0,
    maxAge: 120,
    weight: 6,
    settings: office,
    resolvesInDays: 7,
    fever: true,
    medications: [MED.acetaminophen],
    plan: 'Fluids, throat lozenges and acetaminophen; return if symptoms persist beyond a week.',
  },
  strepThroat: {
    code: sct('43878008', 'Streptococcal sore throat (disorder)'),
    chronic: false,
    minAge: 3,
    maxAge: 45,
    weight: 3,
    settings: office,
    resolvesInDays: 10,
    fever: true,
    medications: [MED.amoxicillin],
    diagnosticProcedure: sct('117015009', 'Throat culture (procedure)'),
    plan: 'Amoxicillin for 10 days (unless allergic); return if unable to swallow.',
  },
  otitisMedia: {
    code: sct('65363002', 'Otitis media (disorder)'),
    chronic: false,
    minAge: 0,
    maxAge: 12,
    weight: 8,
    settings: office,
    resolvesInDays: 10,
    fever: true,
    medications: [MED.amoxicillin, MED.acetaminophen],
    plan: 'Amoxicillin (unless allergic) and analgesia; recheck ear in 2 weeks.',
  },
  pneumonia: {
    code: sct('233604007', 'Pneumonia (disorder)'),
    chronic: false,
    minAge: 0,
    maxAge: 120,
    weight: 2,
    resolvesInDays: 21,
    fever: true,
    settings: [
      { weight: 1, value: 'EMER' },
      { weight: 1, value: 'IMP' },
    ],
    medications: [MED.amoxiClav, MED.acetaminophen],
    diagnosticProcedure: sct('399208008', 'Plain chest X-ray (procedure)'),
    plan: 'Amoxicillin/clavulanate (unless allergic), oxygen as needed; chest X-ray follow-up in 6 weeks.',
  },
} satisfies Record<string, ConditionDef>;

export type ConditionKey = keyof typeof CONDITION_DEFS;
/** Conditions keyed by a short name the rest of the generator uses for correlations. */
export const CONDITIONS: Readonly<Record<ConditionKey, ConditionDef>> = CONDITION_DEFS;
