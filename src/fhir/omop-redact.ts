/**
 * @module
 * Free-text scrubbing for OMOP `note` rows, after the HIPAA Safe Harbor list (45 CFR §164.514(b)(2)(i)):
 * names, geographic subdivisions smaller than a state, dates (except year), phone numbers, e-mail
 * addresses, SSNs, record and other identifying numbers, URLs, IP addresses, ages over 89.
 *
 * Two passes, both replacing with `[REDACTED]`:
 * 1. the patient's own identifiers, known from the FHIR resources: name parts (of the patient and of
 *    Patient.contact), identifier values, address lines/city/district/postal code, telecom values, the
 *    birth date, FHIR ids, the export key — case-insensitive, whole words, any whitespace between words
 *    and, for identifiers and telecom, any punctuation between their letter/digit groups;
 * 2. patterns for what the resources cannot list: e-mails, URLs, IPv4, SSNs, phone numbers, dates
 *    (ISO, numeric, month names), ages over 89, and every run of 6 or more digits.
 *
 * This errs towards over-redaction; it is a safety net, not proof that a note is free of PHI.
 */
import type { Address, ContactPoint, HumanName, Identifier, Patient, Resource } from '@medplum/fhirtypes';

export const REDACTED = '[REDACTED]';

/** Terms shorter than this are not redacted on their own (initials would shred every word). */
const MIN_TERM = 2;
/** Digit-only fragments of identifiers are redacted from this length on. */
const MIN_DIGITS = 4;

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;

/** Pass 2, in order. Each runs on the output of the previous one; `[REDACTED]` matches none of them. */
const PATTERNS: readonly RegExp[] = [
  /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu, // e-mail
  /\b(?:(?:https?|ftp):\/\/|www\.)[^\s<>"]+/giu, // URL
  /\b\d{1,3}(?:\.\d{1,3}){3}\b/gu, // IPv4
  /\b\d{3}[ -]\d{2}[ -]\d{4}\b/gu, // SSN
  /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b/gu, // NANP-style phone
  /\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/gu, // ISO date
  /\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/gu, // numeric date, either order
  new RegExp(String.raw`\b${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b`, 'giu'), // April 12, 1961
  new RegExp(String.raw`\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}(?:,?\s+\d{4})?\b`, 'giu'), // 12 April 1961
  /\b(?:9\d|1\d\d)(?=[\s-]*(?:years?|yrs?|y\.?o\.?|year-old)\b)/giu, // age over 89
  /\d{6,}/gu, // long digit runs: MRNs, account numbers, compact dates
];

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Words of `s` joined by any whitespace. */
function wordsPattern(s: string): string | undefined {
  const words = s.trim().split(/\s+/u).filter(Boolean);
  if (words.join('').length < MIN_TERM) return undefined;
  return words.map(escapeRe).join(String.raw`\s+`);
}

/** Letter/digit groups of `s` joined by up to three non-alphanumerics ("MRN-448812" ~ "mrn 448812"). */
function groupsPattern(s: string): string | undefined {
  const groups = s.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (groups.join('').length < MIN_TERM) return undefined;
  return groups.map(escapeRe).join(String.raw`[^\p{L}\p{N}]{0,3}`);
}

/** The identifying strings of the patient, each as a regex source. */
function patientTerms(patients: readonly Patient[], resources: readonly Resource[], key: string): string[] {
  const terms = new Set<string>();
  const add = (p: string | undefined): void => {
    if (p !== undefined) terms.add(p);
  };
  const names: HumanName[] = [];
  const addresses: Address[] = [];
  const telecoms: ContactPoint[] = [];
  const identifiers: Identifier[] = [];
  for (const p of patients) {
    names.push(...(p.name ?? []));
    addresses.push(...(p.address ?? []));
    telecoms.push(...(p.telecom ?? []));
    identifiers.push(...(p.identifier ?? []));
    for (const c of p.contact ?? []) {
      if (c.name) names.push(c.name);
      if (c.address) addresses.push(c.address);
      telecoms.push(...(c.telecom ?? []));
    }
    if (p.birthDate) add(groupsPattern(p.birthDate));
  }
  for (const n of names) {
    // Prefixes and suffixes (Mr, Dr, Jr) are titles, not identifiers.
    for (const part of [n.text, n.family, ...(n.given ?? [])]) {
      if (part === undefined) continue;
      add(wordsPattern(part));
      add(groupsPattern(part));
      for (const w of part.match(/[\p{L}\p{N}]+/gu) ?? []) add(wordsPattern(w));
    }
  }
  for (const a of addresses) {
    for (const part of [a.text, ...(a.line ?? []), a.city, a.district, a.postalCode]) {
      if (part !== undefined) add(wordsPattern(part));
    }
  }
  for (const v of [...telecoms.map((t) => t.value), ...identifiers.map((i) => i.value), key]) {
    if (v === undefined) continue;
    add(wordsPattern(v));
    add(groupsPattern(v));
    for (const digits of v.match(/\d+/g) ?? []) if (digits.length >= MIN_DIGITS) add(digits);
  }
  for (const r of resources) if (r.id !== undefined && r.id.length >= MIN_DIGITS) add(groupsPattern(r.id));
  return [...terms];
}

/** A scrubber for one patient's free text. */
export type Redactor = (text: string) => string;

/**
 * Builds the scrubber for the patient described by `resources` (its Patient resources supply the
 * identifiers) and export key `key`.
 *
 * @example
 * const redact = makeRedactor([{ resourceType: 'Patient', name: [{ family: 'Okafor' }] }], 'k1');
 * redact('Mrs OKAFOR seen 2024-03-01, MRN 00448812'); // 'Mrs [REDACTED] seen [REDACTED], MRN [REDACTED]'
 */
export function makeRedactor(resources: readonly Resource[], key: string): Redactor {
  const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient');
  // Longest first, so a full name or address line wins over its parts at the same position.
  const terms = patientTerms(patients, resources, key).sort((a, b) => b.length - a.length);
  const own =
    terms.length === 0
      ? undefined
      : new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${terms.join('|')})(?![\p{L}\p{N}])`, 'giu');
  return (text) => {
    let out = own ? text.replace(own, REDACTED) : text;
    for (const re of PATTERNS) out = out.replace(re, REDACTED);
    return out;
  };
}
