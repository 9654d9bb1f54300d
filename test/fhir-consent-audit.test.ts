/**
 * @module
 * Consent, break-glass and the access log over the FHIR R4 API, through the real server with
 * fhir-kit-client: a patient grants and revokes access with FHIR Consent resources
 * (http://hl7.org/fhir/R4/consent.html), a doctor of another organization is denied until then and
 * can break the glass with a stated reason, and `AuditEvent?patient=` shows every one of those
 * accesses (http://hl7.org/fhir/R4/auditevent.html) to the patient and to auditors only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateResource } from '@medplum/core';
import type { AuditEvent, Bundle, Consent, ConsentProvision } from '@medplum/fhirtypes';
import type { Client, FhirResource } from 'fhir-kit-client';
import { ACT_REASON, isBreakGlass } from '../src/fhir/audit-event.ts';
import { ensureR4Definitions } from '../src/fhir/definitions.ts';
import { failsWith, headersOf, startFhirFixture } from './fhir-support.ts';
import type { FhirFixture } from './fhir-support.ts';

const DAY = 86_400_000;
const REASON = 'unconscious patient in the emergency room';

const asBundle = (r: unknown): Bundle => r as Bundle;
const asConsent = (r: unknown): Consent => r as Consent;
const fk = (r: Consent): FhirResource => r as unknown as FhirResource;

describe('FHIR R4 Consent, break-glass and AuditEvent (fhir-kit-client)', () => {
  let f: FhirFixture;
  let patient: Client;
  let patel: Client;

  function consent(actor: string, provision: Partial<ConsentProvision> = {}, patientId?: string): Consent {
    return {
      resourceType: 'Consent',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patientId ?? f.own}` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { end: new Date(Date.now() + DAY).toISOString() },
        actor: [
          {
            role: {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
              ],
            },
            reference: { reference: actor },
          },
        ],
        purpose: [{ system: ACT_REASON, code: 'TREAT' }],
        class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
        ...provision,
      },
    };
  }
  const grant = (c: Consent): Promise<FhirResource> =>
    patient.create({ resourceType: 'Consent', body: fk(c) });
  const observationsOf = (c: Client, id: string): Promise<FhirResource> =>
    c.search({ resourceType: 'Observation', searchParams: { patient: id, _count: 500 } });

  before(async () => {
    f = await startFhirFixture(2);
    patient = await f.client('patient');
    patel = await f.client('patel');
  });
  after(async () => {
    await f.t.close();
  });

  it('lets only a patient grant consent (403)', async () => {
    const chen = await f.client('chen');
    await failsWith(
      chen.create({ resourceType: 'Consent', body: fk(consent('Organization/riverside')) }),
      403,
    );
  });

  it('refuses a consent the ledger could not enforce, naming the path (422)', async () => {
    const count = f.t.node.state.consents.size;
    const cases: [Partial<ConsentProvision>, string][] = [
      [{ period: { start: '2024-01-01' } }, 'Consent.provision.period.end'],
      [{ type: 'deny' }, 'Consent.provision.type'],
      [{ provision: [{ type: 'deny' }] }, 'Consent.provision.provision'],
      [{ purpose: [{ system: ACT_REASON, code: 'XYZ' }] }, 'Consent.provision.purpose[0]'],
      [
        { class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Consent' }] },
        'Consent.provision.class[0]',
      ],
      [{ actor: [] }, 'Consent.provision.actor'],
    ];
    for (const [provision, path] of cases) {
      const { outcome } = await failsWith(grant(consent('Organization/riverside', provision)), 422);
      assert.ok(
        outcome.issue.some((i) => i.expression?.some((e) => e.startsWith(path))),
        `${path}: ${JSON.stringify(outcome)}`,
      );
    }
    const noStatus = { ...consent('Organization/riverside'), status: undefined } as unknown as Consent;
    const { outcome } = await failsWith(grant(noStatus), 422);
    assert.ok(
      outcome.issue.some((i) => i.expression?.includes('Consent.status')),
      JSON.stringify(outcome),
    );
    await f.t.node.commit();
    assert.equal(f.t.node.state.consents.size, count);
  });

  it("refuses a consent for another patient's data (403)", async () => {
    await failsWith(grant(consent('Organization/riverside', {}, f.other)), 403);
  });

  it('denies a doctor of another organization without consent (403)', async () => {
    await failsWith(patel.read({ resourceType: 'Patient', id: f.own }), 403);
    await failsWith(observationsOf(patel, f.own), 403);
  });

  it('wants a break-glass reason of ten characters, and a known purpose', async () => {
    const short = await f.client('patel', { 'x-break-glass-reason': 'urgent' });
    await failsWith(short.read({ resourceType: 'Patient', id: f.own }), 403);
    const odd = await f.client('patel', { 'x-purpose-of-use': 'SHOPPING' });
    await failsWith(odd.read({ resourceType: 'Patient', id: f.own }), 400);
  });

  it('breaks the glass: an emergency read, audited and shown to the patient', async () => {
    const glass = await f.client('patel', { 'x-break-glass-reason': REASON, 'x-purpose-of-use': 'ETREAT' });
    assert.equal((await glass.read({ resourceType: 'Patient', id: f.own })).id, f.own);
    // The access log shows committed access events; the server mines them at once, wait for it.
    await f.t.node.commit();
    const log = asBundle(
      await patient.search({ resourceType: 'AuditEvent', searchParams: { patient: f.own } }),
    );
    const events = log.entry!.map((e) => e.resource as AuditEvent);
    const patelKey = f.keyIdOf('patel');
    const byPatel = events.filter((e) => e.agent[0]!.who?.identifier?.value === patelKey);
    assert.ok(byPatel.some((e) => isBreakGlass(e) && e.outcome === '0'));
    assert.ok(
      byPatel.some((e) => e.outcome === '4'),
      'the denials are in the log too',
    );
    // Newest first: the break-glass read is the first of Patel's events.
    assert.ok(isBreakGlass(byPatel[0]!));
  });

  it('grants, lists and revokes access with Consent resources', async () => {
    const created = asConsent(await grant(consent('Organization/riverside')));
    assert.equal(created.status, 'active');
    assert.equal(headersOf(created).get('location'), `${f.base}/Consent/${created.id!}/_history/1`);
    assert.equal(created.patient?.reference, `Patient/${f.own}`);
    ensureR4Definitions();
    validateResource(created);

    // Patel (Riverside) now reads the Observations, and nothing else.
    const obs = asBundle(await observationsOf(patel, f.own));
    assert.ok(obs.total! > 0);
    await failsWith(patel.read({ resourceType: 'Patient', id: f.own }), 403);

    const mine = asBundle(await patient.search({ resourceType: 'Consent' }));
    assert.ok(
      mine.entry!.some((e) => e.resource!.id === created.id && (e.resource as Consent).status === 'active'),
    );
    const theirs = asBundle(
      await patel.search({ resourceType: 'Consent', searchParams: { status: 'active' } }),
    );
    assert.deepEqual(
      theirs.entry!.map((e) => e.resource!.id),
      [created.id],
    );

    await patient.delete({ resourceType: 'Consent', id: created.id! });
    await failsWith(observationsOf(patel, f.own), 403);
    const revoked = asConsent(await patient.read({ resourceType: 'Consent', id: created.id! }));
    assert.equal(revoked.status, 'inactive');
    assert.equal(revoked.meta?.versionId, '2');
    await failsWith(patient.delete({ resourceType: 'Consent', id: created.id! }), 400);
  });

  it('revokes with PUT status inactive, and refuses any other change', async () => {
    const c = asConsent(await grant(consent(`Practitioner/${f.keyIdOf('patel')}`, { class: undefined })));
    assert.ok(asBundle(await observationsOf(patel, f.own)).total! > 0);
    const changed = {
      ...c,
      provision: { ...c.provision, purpose: [{ system: ACT_REASON, code: 'HRESCH' }] },
    };
    await failsWith(patient.update({ resourceType: 'Consent', id: c.id!, body: fk(changed) }), 422);
    const off = asConsent(
      await patient.update({ resourceType: 'Consent', id: c.id!, body: fk({ ...c, status: 'inactive' }) }),
    );
    assert.equal(off.status, 'inactive');
    await failsWith(observationsOf(patel, f.own), 403);
  });

  it('shows the access log as AuditEvents to the patient and auditors, not to doctors', async () => {
    const chen = await f.client('chen');
    await failsWith(chen.search({ resourceType: 'AuditEvent', searchParams: { patient: f.own } }), 403);
    await failsWith(patient.search({ resourceType: 'AuditEvent', searchParams: { patient: f.other } }), 403);

    const auditorToken = await f.t.login('auditor@riverside.example');
    await f.t.node.commit(); // every access so far is on the ledger; reading the log logs nothing
    const mine = asBundle(
      await patient.search({ resourceType: 'AuditEvent', searchParams: { patient: f.own, _count: 500 } }),
    );
    const auditor = await f.client('auditor');
    const seen = asBundle(
      await auditor.search({ resourceType: 'AuditEvent', searchParams: { patient: f.own, _count: 500 } }),
    );
    const native = await f.t.api(`/api/v1/patients/${f.own}/access-log`, { token: auditorToken });
    const count = ((await native.json()) as unknown[]).length;
    assert.equal(mine.total, count);
    assert.equal(seen.total, count);
    ensureR4Definitions();
    for (const e of mine.entry!) {
      const ae = e.resource as AuditEvent;
      validateResource(ae);
      assert.ok(ae.entity!.some((x) => x.what?.reference === `Patient/${f.own}`));
    }
    const page = asBundle(
      await patient.search({ resourceType: 'AuditEvent', searchParams: { patient: f.own, _count: 2 } }),
    );
    assert.equal(page.entry!.length, 2);
    assert.ok(page.link!.some((l) => l.relation === 'next'));
    const one = (await auditor.read({
      resourceType: 'AuditEvent',
      id: page.entry![0]!.resource!.id!,
    })) as unknown as AuditEvent;
    assert.deepEqual(one, page.entry![0]!.resource);
  });
});
