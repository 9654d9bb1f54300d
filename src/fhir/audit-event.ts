/**
 * @module
 * ChainNode access events (`access.log` transactions, and the record transactions of user writes) as FHIR
 * R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html), coded after the IHE Basic Audit Log
 * Patterns and DICOM PS3.15 Annex A.5: event type DICOM 110110 "Patient Record" (110106 "Export" for exports), the RESTful
 * interaction as subtype, action C/R/E/D, outcome 0 (allowed) or 4 (denied), and the purpose of use from
 * HL7 v3 ActReason (TREAT, HRESCH, HPAYMT, ETREAT; BTG for break-glass).
 *
 * A break-glass access carries the subtype {@link BREAK_GLASS_SUBTYPE} and the BTG purpose, so the portal
 * can flag it with {@link isBreakGlass}. The ledger transaction id and block height are an entity of
 * type "System Object" with `detail` entries, so an auditor can go from the AuditEvent to its proof.
 */
import type { AuditEvent, AuditEventEntity, CodeableConcept, Coding } from '@medplum/fhirtypes';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';

/** An access event as the ledger records it (an `access.log`, or the record transaction of a write). */
export interface AccessEventView {
  /** The id of the transaction holding the event. */
  readonly id: string;
  /** ms since the epoch. */
  readonly time: number;
  readonly requester: {
    readonly keyId: string;
    readonly role: string;
    readonly org?: string;
    readonly display?: string;
  };
  /** e.g. `Patient/123`, when the caller knows it. */
  readonly patientRef?: string;
  /** Record ids. */
  readonly records: readonly string[];
  readonly action: 'read' | 'write' | 'export' | 'erase' | 'bind';
  readonly purpose: string;
  readonly outcome: 'allow' | 'deny';
  /** The deny reason, or the basis of an allow. */
  readonly reason?: string;
  readonly breakGlass: boolean;
  /** Height of the block holding the transaction, once mined. */
  readonly height?: number;
}

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const REST_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';

/** Identifier systems of MedLedger's own ids (same `urn:medledger:` scheme as the simulator's MRNs). */
export const ID_SYSTEM = {
  key: 'urn:medledger:key',
  org: 'urn:medledger:org',
  record: 'urn:medledger:record',
  tx: 'urn:medledger:tx',
} as const;

/** The subtype that marks a break-glass access. */
export const BREAK_GLASS_SUBTYPE: Coding = {
  system: 'urn:medledger:audit-subtype',
  code: 'break-glass',
  display: 'Break-glass emergency access',
};

const BTG: Coding = { system: ACT_REASON, code: 'BTG', display: 'break the glass' };

/** MedLedger purposes → HL7 v3 ActReason (PurposeOfUse) codes. */
export const PURPOSE_OF_USE: Readonly<Record<string, Coding>> = {
  treatment: { system: ACT_REASON, code: 'TREAT', display: 'treatment' },
  research: { system: ACT_REASON, code: 'HRESCH', display: 'healthcare research' },
  payment: { system: ACT_REASON, code: 'HPAYMT', display: 'healthcare payment' },
  emergency: { system: ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' },
  admin: { system: ACT_REASON, code: 'HOPERAT', display: 'healthcare operations' },
};

const ACTIONS = {
  read: { action: 'R', type: { system: DCM, code: '110110', display: 'Patient Record' }, rest: 'read' },
  write: { action: 'C', type: { system: DCM, code: '110110', display: 'Patient Record' }, rest: 'create' },
  export: { action: 'E', type: { system: DCM, code: '110106', display: 'Export' }, rest: undefined },
  erase: { action: 'D', type: { system: DCM, code: '110110', display: 'Patient Record' }, rest: 'delete' },
  // A patient's login bound by two admins: the patient's security attributes changed.
  bind: {
    action: 'U',
    type: { system: DCM, code: '110137', display: 'User Security Attributes Changed' },
    rest: undefined,
  },
} as const satisfies Record<AccessEventView['action'], unknown>;

/** FHIR R4 id: 1–64 of [A-Za-z0-9.-] (a hex transaction id fits). */
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

function check(e: AccessEventView): void {
  if (typeof e.id !== 'string' || e.id === '') throw new ArgumentTypeError('id', 'non-empty string', e.id);
  if (typeof e.time !== 'number' || !Number.isFinite(e.time) || Math.abs(e.time) > 8.64e15) {
    throw new ArgumentValueError('time', `got ${String(e.time)}, want ms since the epoch`);
  }
  if (!Object.hasOwn(ACTIONS, e.action)) throw new ArgumentValueError('action', `unknown action ${e.action}`);
  const outcome: unknown = e.outcome;
  if (outcome !== 'allow' && outcome !== 'deny') {
    throw new ArgumentValueError('outcome', `got ${String(outcome)}, want allow or deny`);
  }
  const records: unknown = e.records;
  if (!Array.isArray(records) || !records.every((r) => typeof r === 'string' && r !== '')) {
    throw new ArgumentTypeError('records', 'array of non-empty strings', records);
  }
  if (e.height !== undefined && (!Number.isSafeInteger(e.height) || e.height < 0)) {
    throw new ArgumentValueError('height', `got ${String(e.height)}, want a safe integer ≥ 0`);
  }
}

function purposes(e: AccessEventView): CodeableConcept[] {
  const coded = PURPOSE_OF_USE[e.purpose];
  const purpose: CodeableConcept = coded ? { coding: [coded], text: e.purpose } : { text: e.purpose };
  return e.breakGlass ? [purpose, { coding: [BTG], text: 'break-glass' }] : [purpose];
}

function entities(e: AccessEventView): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  if (e.patientRef !== undefined) {
    out.push({
      what: { reference: e.patientRef },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  for (const id of e.records) {
    out.push({
      what: { type: 'DocumentReference', identifier: { system: ID_SYSTEM.record, value: id } },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  out.push({
    what: { identifier: { system: ID_SYSTEM.tx, value: e.id } },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    description: 'MedLedger ledger transaction',
    detail: [
      { type: 'ledger-tx', valueString: e.id },
      ...(e.height === undefined ? [] : [{ type: 'block-height', valueString: String(e.height) }]),
    ],
  });
  return out;
}

/**
 * The FHIR R4 AuditEvent of a ledger access event.
 *
 * @throws {ArgumentTypeError | ArgumentValueError} for a malformed event.
 * @example
 * toAuditEvent({ id: txId, time: Date.now(), requester: { keyId, role: 'doctor' }, records: [recId],
 *   action: 'read', purpose: 'treatment', outcome: 'allow', breakGlass: false });
 */
export function toAuditEvent(e: AccessEventView): AuditEvent {
  check(e);
  const a = ACTIONS[e.action];
  const purposeOfUse = purposes(e);
  const subtype: Coding[] = [
    ...(a.rest === undefined ? [] : [{ system: REST_INTERACTION, code: a.rest }]),
    ...(e.breakGlass ? [BREAK_GLASS_SUBTYPE] : []),
  ];
  const { keyId, role, org, display } = e.requester;
  return {
    resourceType: 'AuditEvent',
    ...(FHIR_ID.test(e.id) ? { id: e.id } : {}),
    type: a.type,
    ...(subtype.length > 0 ? { subtype } : {}),
    action: a.action,
    recorded: new Date(e.time).toISOString(),
    outcome: e.outcome === 'allow' ? '0' : '4',
    ...(e.reason === undefined ? {} : { outcomeDesc: e.reason }),
    purposeOfEvent: purposeOfUse,
    agent: [
      {
        who: {
          identifier: { system: ID_SYSTEM.key, value: keyId },
          ...(display === undefined ? {} : { display }),
        },
        ...(display === undefined ? {} : { name: display }),
        role: [{ text: role }],
        requestor: true,
        purposeOfUse,
      },
      ...(org === undefined
        ? []
        : [
            {
              type: { text: 'organization' },
              who: { identifier: { system: ID_SYSTEM.org, value: org } },
              requestor: false,
            },
          ]),
    ],
    source: {
      site: 'MedLedger',
      observer: { display: 'MedLedger' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities(e),
  };
}

/** True when `ae` records a break-glass access (by its subtype, or the BTG purpose of use). */
export function isBreakGlass(ae: AuditEvent): boolean {
  const btg = (cc: CodeableConcept[] | undefined): boolean =>
    cc?.some((c) => c.coding?.some((k) => k.system === ACT_REASON && k.code === 'BTG')) ?? false;
  return (
    (ae.subtype?.some(
      (c) => c.system === BREAK_GLASS_SUBTYPE.system && c.code === BREAK_GLASS_SUBTYPE.code,
    ) ??
      false) ||
    btg(ae.purposeOfEvent) ||
    ae.agent.some((a) => btg(a.purposeOfUse))
  );
}
