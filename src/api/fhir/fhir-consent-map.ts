/**
 * @module
 * ChainNode consent grants ↔ FHIR R4 Consent (http://hl7.org/fhir/R4/consent.html), pure.
 *
 * A grant is a privacy consent (scope `patient-privacy`, category LOINC 59284-0) with one permit
 * provision: `provision.actor` (role IRCP, the recipient) is `Organization/[org]` or
 * `Practitioner/[key id]`; `provision.purpose` one HL7 v3 ActReason code (TREAT, HRESCH, HPAYMT,
 * ETREAT → treatment, research, payment, emergency); `provision.period` when the grant is valid (its
 * end required; FHIR period ends are inclusive, so `2026-01-31` allows all of that day);
 * `provision.dataPeriod` the clinical dates of the data in scope; `provision.class` the resource types
 * in scope (none = all). Anything that would narrow a consent in a way the ledger cannot enforce
 * (nested provisions, `data`, `code`, `securityLabel`, a deny provision, actions other than access
 * and use) is refused with 422 rather than silently granted wider.
 */
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Coding, Consent, Resource } from '@medplum/fhirtypes';
import type { ConsentEntry, ConsentRequest, Grantee } from '../../medical/facade.ts';
import { ArgumentValueError, FhirValidationError } from '../../core/errors.ts';
import { ACT_REASON, PURPOSE_OF_USE } from '../../fhir/audit-event.ts';
import { ensureR4Definitions } from '../../fhir/definitions.ts';
import { describeOutcome, errorOutcome, isObject, toOutcomeLike } from '../../fhir/outcome.ts';
import type { IssueCode } from '../../fhir/outcome.ts';
import { isRecordType } from '../../fhir/validate.ts';
import { iso, purposeOfCode } from './fhir-http.ts';
import { dateRange } from './fhir-search-params.ts';

export const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONSENT_ACTION = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const BLIND_ID_SYSTEM = 'urn:medledger:patient-blind-id';

function invalid(code: IssueCode, text: string, path: string): FhirValidationError {
  return new FhirValidationError(`${path}: ${text}`, errorOutcome(code, text, path));
}

/** The ledger grantee a provision.actor reference names. */
function granteeOf(ref: unknown): Grantee {
  const path = 'Consent.provision.actor[0].reference';
  const s = isObject(ref) && typeof ref.reference === 'string' ? ref.reference : '';
  const org = /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(s);
  if (org) return { kind: 'organization', orgId: org[1]! };
  const pr = /^Practitioner\/([0-9a-f]{64})$/.exec(s);
  if (pr) return { kind: 'practitioner', keyId: pr[1]! };
  throw invalid('value', 'the recipient must be Organization/[org id] or Practitioner/[key id]', path);
}

function onlyCoding(v: unknown, path: string): Coding {
  if (!Array.isArray(v) || v.length !== 1 || !isObject(v[0]))
    throw invalid('required', 'exactly one purpose of use is needed', path);
  return v[0];
}

/** `[low, high)` in ms of a FHIR Period (end inclusive as written, so exclusive at its precision's end). */
function periodOf(v: unknown, path: string): { start?: number; end?: number } {
  if (!isObject(v)) return {};
  const start = typeof v.start === 'string' ? dateRange(v.start)?.low : undefined;
  const end = typeof v.end === 'string' ? dateRange(v.end)?.high : undefined;
  if (typeof v.start === 'string' && start === undefined)
    throw invalid('value', 'not a date', `${path}.start`);
  if (typeof v.end === 'string' && end === undefined) throw invalid('value', 'not a date', `${path}.end`);
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
}

const REFUSED = ['provision', 'data', 'code', 'securityLabel'] as const;

/**
 * The grant a FHIR Consent asks for, and the Patient id it names (if any; the caller checks it is
 * the patient's own).
 *
 * @throws {FhirValidationError} (422) naming the path of what is invalid or cannot be enforced.
 */
export function grantOf(input: unknown): { grant: ConsentRequest; patient?: string } {
  if (!isObject(input) || input.resourceType !== 'Consent')
    throw new ArgumentValueError('resourceType', 'the body must be a FHIR Consent');
  ensureR4Definitions();
  try {
    validateResource(input as unknown as Resource);
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) throw e;
    const outcome = toOutcomeLike(e.outcome, 'Invalid Consent');
    throw new FhirValidationError(describeOutcome(outcome), outcome);
  }
  const c = input as unknown as Consent;
  if (c.status !== 'active')
    throw invalid('not-supported', 'only an active consent can be granted', 'Consent.status');
  let patient: string | undefined;
  if (c.patient !== undefined) {
    const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(c.patient.reference ?? '');
    if (!m) throw invalid('value', 'must be Patient/[id]', 'Consent.patient.reference');
    patient = m[1]!;
  }
  const p = c.provision;
  if (p === undefined) throw invalid('required', 'a consent grants one provision', 'Consent.provision');
  if (p.type !== undefined && p.type !== 'permit')
    throw invalid(
      'not-supported',
      'only permit provisions are kept (no consent means deny)',
      'Consent.provision.type',
    );
  for (const k of REFUSED)
    if (p[k] !== undefined)
      throw invalid('not-supported', `provision.${k} cannot be enforced`, `Consent.provision.${k}`);
  for (const [i, a] of (p.action ?? []).entries())
    for (const cd of a.coding ?? [])
      if (cd.code !== 'access' && cd.code !== 'use')
        throw invalid(
          'not-supported',
          'only access and use can be granted',
          `Consent.provision.action[${String(i)}]`,
        );
  if (p.actor?.length !== 1)
    throw invalid('required', 'exactly one recipient is needed', 'Consent.provision.actor');
  const grantee = granteeOf(p.actor[0]!.reference);
  const coding = onlyCoding(p.purpose, 'Consent.provision.purpose');
  const purpose =
    coding.system === undefined || coding.system === ACT_REASON
      ? purposeOfCode(coding.code ?? '')
      : undefined;
  if (purpose === undefined)
    throw invalid(
      'value',
      'want a v3-ActReason code: TREAT, HRESCH, HPAYMT or ETREAT',
      'Consent.provision.purpose[0]',
    );
  const valid = periodOf(p.period, 'Consent.provision.period');
  if (valid.end === undefined)
    throw invalid(
      'required',
      'a consent needs an end (provision.period.end)',
      'Consent.provision.period.end',
    );
  const types: string[] = [];
  for (const [i, k] of (p.class ?? []).entries()) {
    if ((k.system !== undefined && k.system !== RESOURCE_TYPES_SYSTEM) || !isRecordType(k.code ?? ''))
      throw invalid(
        'value',
        'want a resource type stored as a record',
        `Consent.provision.class[${String(i)}]`,
      );
    types.push(k.code!);
  }
  const data = periodOf(p.dataPeriod, 'Consent.provision.dataPeriod');
  const grant: ConsentRequest = {
    grantee,
    purpose,
    ...(types.length > 0 ? { types } : {}),
    ...(data.start === undefined && data.end === undefined ? {} : { period: data }),
    ...(valid.start === undefined ? {} : { validFrom: valid.start }),
    validTo: valid.end,
  };
  return { grant, ...(patient === undefined ? {} : { patient }) };
}

/** ChainNode ms bounds → a FHIR Period; an exclusive end is shown as the last millisecond inside. */
function fhirPeriod(start: number | undefined, end: number | undefined): { start?: string; end?: string } {
  return {
    ...(start === undefined ? {} : { start: iso(start) }),
    ...(end === undefined ? {} : { end: iso(end - 1) }),
  };
}

/**
 * A ledger grant as a FHIR Consent; `patientId` is the patient's FHIR id when known (else the patient
 * is named by their blind id).
 */
export function consentResource(c: ConsentEntry, now: number, patientId?: string): Consent {
  const revoked = c.revokedAt !== undefined;
  const active = !revoked && now >= c.validFrom && now < c.validTo;
  const actor =
    c.grantee.kind === 'organization' ? `Organization/${c.grantee.orgId}` : `Practitioner/${c.grantee.keyId}`;
  const purpose = PURPOSE_OF_USE[c.purpose];
  return {
    resourceType: 'Consent',
    id: c.id,
    meta: { versionId: revoked ? '2' : '1', lastUpdated: iso(c.revokedAt ?? c.grantedAt) },
    status: active ? 'active' : 'inactive',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient:
      patientId === undefined
        ? { identifier: { system: BLIND_ID_SYSTEM, value: c.patient } }
        : { reference: `Patient/${patientId}` },
    dateTime: iso(c.grantedAt),
    policyRule: { coding: [{ system: ACT_CODE, code: 'OPTIN', display: 'opt-in' }] },
    provision: {
      type: 'permit',
      period: fhirPeriod(c.validFrom, c.validTo),
      actor: [
        {
          role: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
          reference: { reference: actor },
        },
      ],
      action: [{ coding: [{ system: CONSENT_ACTION, code: 'access' }] }],
      ...(purpose ? { purpose: [purpose] } : {}),
      ...(c.scope.types
        ? { class: c.scope.types.map((code) => ({ system: RESOURCE_TYPES_SYSTEM, code })) }
        : {}),
      ...(c.scope.period ? { dataPeriod: fhirPeriod(c.scope.period.start, c.scope.period.end) } : {}),
    },
  };
}
