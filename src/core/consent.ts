/**
 * @module
 * Consent evaluation: the one pure function that decides every access to a medical record (docs/DESIGN.md
 * "Consent"). Least privilege: nothing is allowed unless a row below allows it. No clock, randomness or
 * I/O; the caller passes `now`, and the result does not depend on the order of `consents`. Purposes
 * follow HL7 v3 PurposeOfUse (TREAT, HRESCH, HPAYMT, ETREAT) as used by FHIR R4 Consent.provision.purpose.
 *
 * | # | requester  | action | allowed when (first row that applies wins)                          | basis         |
 * |---|------------|--------|---------------------------------------------------------------------|---------------|
 * | 0 | anyone     | any    | never if `record.erased`                                            | record-erased |
 * | 1 | patient    | any    | `requester.patient === record.patient`, any purpose                 | patient-self  |
 * | 2 | doctor     | read   | author of the record, purpose treatment or emergency                | author        |
 * | 3 | doctor     | read   | same org, `policy.orgDoctorsTreatment`, purpose treatment/emergency | org-policy    |
 * | 4 | doctor     | read   | a matching consent                                                  | consent       |
 * | 5 | doctor     | read   | purpose emergency and `breakGlass.reason` ≥ 10 non-space characters | break-glass   |
 * | 6 | doctor     | write  | purpose treatment/emergency and author of the record                | author        |
 * | 7 | doctor     | write  | purpose treatment/emergency and same org (policy flag not needed)   | org-policy    |
 * | 8 | doctor     | write  | purpose treatment/emergency and a matching *treatment* consent      | consent       |
 * | 9 | researcher | read   | purpose research and a matching research consent                    | consent       |
 *
 * A doctor's *new* record in a patient's chart (`chart` given) has no author or organization yet to
 * match, so rows 6–8 become: the chart's organization (the one that holds the patient's Patient
 * record) is the doctor's → org-policy; else a matching treatment consent → consent; else purpose
 * emergency with a break-glass reason → break-glass; a chart not started yet (the Patient record
 * itself) → author. A doctor of another organization with no consent is denied (no-consent).
 *
 * Denials: a patient's other record → other-patient; admin, auditor and node (they never see clinical
 * content — auditors get access logs and chain metadata elsewhere), researcher writes or non-research
 * purposes → role-not-permitted; a break-glass attempt with a short reason → break-glass-reason-required;
 * a doctor write for research or payment → wrong-purpose; otherwise the consent reason below.
 *
 * A consent matches when it is this patient's, its grantee is the requester (practitioner key id, or
 * organization = requester's org), and in this order (the check it fails names the reason):
 * revokedAt undefined or now < revokedAt (consent-revoked) · validFrom ≤ now (consent-not-yet-valid) ·
 * now < validTo (consent-expired) · purpose equal, where a treatment consent also serves an emergency
 * (wrong-purpose) · type in scope.types when given, date in [period.start, period.end) when either bound
 * is given, a record without a date being outside (out-of-scope). With no match, the grant that got
 * furthest names the reason and its consentId; with no grant to this requester, no-consent. Ties (and
 * several matches) go to the smallest id, so the answer is order-independent.
 *
 * Deliberate choices beyond the brief: org-policy also serves an emergency, as a treatment consent does,
 * so a doctor who may read a record for treatment never has to break glass for it; break glass is the
 * last resort (a consent or policy that allows wins, with breakGlass false) and applies to reads and
 * to new records in a chart, never to amending another organization's record.
 */

export const PURPOSES = ['treatment', 'research', 'payment', 'emergency'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The roles a key can have in the directory (the state machine's rules use the same list). */
export const ROLES = ['node', 'admin', 'doctor', 'patient', 'researcher', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export type Grantee =
  | { readonly kind: 'practitioner'; readonly keyId: string }
  | { readonly kind: 'organization'; readonly orgId: string };

export interface ConsentScope {
  /** FHIR resource types; absent = all, empty = none. */
  readonly types?: readonly string[];
  /** Clinical date range of the data, ms since epoch, start inclusive, end exclusive. */
  readonly period?: { readonly start?: number; readonly end?: number };
}

export interface ConsentGrant {
  /** The consent.grant transaction id. */
  readonly id: string;
  /** Patient blind id (hex). */
  readonly patient: string;
  readonly grantee: Grantee;
  readonly scope: ConsentScope;
  readonly purpose: Purpose;
  /** ms, inclusive. */
  readonly validFrom: number;
  /** ms, exclusive. */
  readonly validTo: number;
  /** ms of the consent.revoke, if any; the grant stops counting from this instant. */
  readonly revokedAt?: number;
}

export interface OrgPolicy {
  /** Doctors of the record's authoring organization may read it for treatment without a consent. */
  readonly orgDoctorsTreatment: boolean;
}

export interface Requester {
  readonly keyId: string;
  readonly role: Role;
  readonly org?: string;
  /** Blind id, for role patient. */
  readonly patient?: string;
}

export interface RecordMeta {
  readonly id: string;
  readonly patient: string;
  readonly org: string;
  /** Key id of the author. */
  readonly author: string;
  /** FHIR resource type. */
  readonly type: string;
  /** Clinical date, ms since epoch. */
  readonly date?: number;
  readonly erased?: boolean;
}

export type Action = 'read' | 'write';
export type AllowBasis = 'patient-self' | 'author' | 'org-policy' | 'consent' | 'break-glass';
export type DenyReason =
  | 'no-consent'
  | 'consent-revoked'
  | 'consent-expired'
  | 'consent-not-yet-valid'
  | 'wrong-purpose'
  | 'out-of-scope'
  | 'role-not-permitted'
  | 'break-glass-reason-required'
  | 'record-erased'
  | 'other-patient'
  /** Research data leaves de-identified only (cohorts, OMOP export): decided where the form is known. */
  | 'deidentified-only';

export type Decision =
  | {
      readonly allow: true;
      readonly basis: AllowBasis;
      readonly consentId?: string;
      readonly breakGlass: boolean;
    }
  | {
      readonly allow: false;
      readonly reason: DenyReason;
      readonly consentId?: string;
      readonly breakGlass: false;
    };

export interface AccessRequest {
  readonly consents: readonly ConsentGrant[];
  readonly policy: OrgPolicy;
  readonly requester: Requester;
  readonly record: RecordMeta;
  readonly purpose: Purpose;
  readonly now: number;
  /** Default 'read'. */
  readonly action?: Action;
  readonly breakGlass?: { readonly reason: string };
  /**
   * For a new record written into a patient's chart: the organization holding the patient's Patient
   * record (undefined while there is none: the Patient record starts the chart).
   */
  readonly chart?: { readonly org: string | undefined };
}

/** Minimum number of non-whitespace characters in a break-glass reason. */
export const BREAK_GLASS_MIN_REASON = 10;

/**
 * Decides one access. Never throws on well-typed input; anything unexpected falls through to a denial.
 *
 * @example
 * const d = evaluate({ consents, policy: { orgDoctorsTreatment: true }, requester, record,
 *   purpose: 'treatment', now: Date.now() });
 * if (!d.allow) throw new AccessDeniedError(d.reason, { consentId: d.consentId });
 */
export function evaluate(req: AccessRequest): Decision {
  if (req.record.erased === true) return deny('record-erased');
  const action: Action = req.action ?? 'read';
  const role = req.requester.role;
  switch (role) {
    case 'patient':
      return req.requester.patient === req.record.patient ? allow('patient-self') : deny('other-patient');
    case 'doctor':
      return action === 'write' ? doctorWrite(req) : doctorRead(req);
    case 'researcher':
      if (action !== 'read' || req.purpose !== 'research') return deny('role-not-permitted');
      return viaConsent(req, 'research');
    case 'admin':
    case 'auditor':
    case 'node':
      return deny('role-not-permitted');
    default:
      // Unreachable for well-typed input; fail closed for a role added to the ledger but not here.
      return deny('role-not-permitted');
  }
}

function doctorRead(req: AccessRequest): Decision {
  const { requester, record, purpose } = req;
  const clinical = purpose === 'treatment' || purpose === 'emergency';
  if (clinical && record.author === requester.keyId) return allow('author');
  if (clinical && req.policy.orgDoctorsTreatment && sameOrg(requester, record)) return allow('org-policy');
  const byConsent = viaConsent(req, purpose);
  return byConsent.allow ? byConsent : breakGlass(req, byConsent);
}

function doctorWrite(req: AccessRequest): Decision {
  const { requester, record, purpose } = req;
  if (purpose !== 'treatment' && purpose !== 'emergency') return deny('wrong-purpose');
  if (req.chart !== undefined) return doctorCreate(req, req.chart.org);
  if (record.author === requester.keyId) return allow('author');
  if (sameOrg(requester, record)) return allow('org-policy');
  // Writing is a clinical act: only a treatment grant lets an outside doctor add to or amend a record.
  return viaConsent(req, 'treatment');
}

/** A new record in a patient's chart: a treatment relationship with the patient, or break glass. */
function doctorCreate(req: AccessRequest, chartOrg: string | undefined): Decision {
  if (chartOrg === undefined) return allow('author');
  if (req.requester.org !== undefined && req.requester.org === chartOrg) return allow('org-policy');
  const byConsent = viaConsent(req, 'treatment');
  return byConsent.allow ? byConsent : breakGlass(req, byConsent);
}

/** `denied` unless this is an emergency with a stated reason, which breaks the glass. */
function breakGlass(req: AccessRequest, denied: Decision): Decision {
  if (req.purpose !== 'emergency' || req.breakGlass === undefined) return denied;
  if (nonSpaceLength(req.breakGlass.reason) < BREAK_GLASS_MIN_REASON) {
    return deny('break-glass-reason-required');
  }
  return { allow: true, basis: 'break-glass', breakGlass: true };
}

function sameOrg(requester: Requester, record: RecordMeta): boolean {
  return requester.org !== undefined && requester.org === record.org;
}

/** Progress of a grant through the checks, in check order; the last one means it matches. */
const STAGES = [
  'consent-revoked',
  'consent-not-yet-valid',
  'consent-expired',
  'wrong-purpose',
  'out-of-scope',
  'match',
] as const;
type Stage = (typeof STAGES)[number];

/** Allow through the best grant of this patient to this requester, else deny with the furthest one's failure. */
function viaConsent(req: AccessRequest, purpose: Purpose): Decision {
  let best: { readonly rank: number; readonly id: string } | undefined;
  for (const grant of req.consents) {
    if (grant.patient !== req.record.patient || !isGrantee(grant.grantee, req.requester)) continue;
    const rank = STAGES.indexOf(stageOf(grant, req.record, purpose, req.now));
    if (best === undefined || rank > best.rank || (rank === best.rank && grant.id < best.id)) {
      best = { rank, id: grant.id };
    }
  }
  if (best === undefined) return deny('no-consent');
  const stage = STAGES[best.rank]!;
  if (stage === 'match') return { allow: true, basis: 'consent', consentId: best.id, breakGlass: false };
  return { allow: false, reason: stage, consentId: best.id, breakGlass: false };
}

function isGrantee(grantee: Grantee, requester: Requester): boolean {
  if (grantee.kind === 'practitioner') return grantee.keyId === requester.keyId;
  return requester.org !== undefined && grantee.orgId === requester.org;
}

function stageOf(grant: ConsentGrant, record: RecordMeta, purpose: Purpose, now: number): Stage {
  // Written as "not (allowed)" so that NaN in any time fails closed.
  if (grant.revokedAt !== undefined && !(now < grant.revokedAt)) return 'consent-revoked';
  if (!(grant.validFrom <= now)) return 'consent-not-yet-valid';
  if (!(now < grant.validTo)) return 'consent-expired';
  const purposeOk = grant.purpose === purpose || (purpose === 'emergency' && grant.purpose === 'treatment');
  if (!purposeOk) return 'wrong-purpose';
  return inScope(grant.scope, record) ? 'match' : 'out-of-scope';
}

function inScope(scope: ConsentScope, record: RecordMeta): boolean {
  if (scope.types !== undefined && !scope.types.includes(record.type)) return false;
  const period = scope.period;
  if (period === undefined || (period.start === undefined && period.end === undefined)) return true;
  const date = record.date;
  if (date === undefined) return false;
  if (period.start !== undefined && !(period.start <= date)) return false;
  return period.end === undefined || date < period.end;
}

function nonSpaceLength(reason: string): number {
  // Counts code points, not UTF-16 units, so a reason in any script needs ten real characters.
  let n = 0;
  for (const ch of reason) if (!/\s/u.test(ch)) n++;
  return n;
}

function allow(basis: AllowBasis): Decision {
  return { allow: true, basis, breakGlass: false };
}

function deny(reason: DenyReason): Decision {
  return { allow: false, reason, breakGlass: false };
}
