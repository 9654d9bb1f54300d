/**
 * @module
 * The FHIR R4 REST API (http://hl7.org/fhir/R4/http.html) through the real server, driven by
 * fhir-kit-client 2.0.3, a FHIR client library we did not write: errors as OperationOutcome (401, 422
 * with the FHIRPath, 403, 405, 400), the CapabilityStatement, create/read/vread/update/history,
 * search with paging, `code` and `date`, and `$everything`. Bundles are in fhir-bundle.test.ts;
 * consent, break-glass and AuditEvent in fhir-consent-audit.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateResource } from '@medplum/core';
import type { Bundle, CapabilityStatement, Observation } from '@medplum/fhirtypes';
import type { Client } from 'fhir-kit-client';
import { clinicalDate, codesOf } from '../src/fhir/clinical-date.ts';
import { ensureR4Definitions } from '../src/fhir/definitions.ts';
import { dateRange } from '../src/api/fhir/fhir-search-params.ts';
import {
  asBundle,
  asObs,
  committedRecords as committed,
  failsWith,
  fk,
  headersOf,
  observation,
  startFhirFixture,
} from './fhir-support.ts';
import type { FhirFixture } from './fhir-support.ts';

const idsOf = (b: Bundle): string[] => (b.entry ?? []).map((e) => e.resource!.id!);

describe('FHIR R4 API (fhir-kit-client)', () => {
  let f: FhirFixture;
  let chen: Client;
  const committedRecords = (): Promise<number> => committed(f);

  before(async () => {
    f = await startFhirFixture(2);
    chen = await f.client('chen');
  });
  after(async () => {
    await f.t.close();
  });

  it('requires a token: 401 OperationOutcome', async () => {
    const { Client: C } = await import('fhir-kit-client');
    const anonymous = new C({ baseUrl: f.base });
    const { outcome, headers } = await failsWith(anonymous.read({ resourceType: 'Patient', id: f.own }), 401);
    assert.equal(outcome.issue[0]!.code, 'login');
    assert.equal(headers?.get('www-authenticate'), 'Bearer');
  });

  it('rejects an invalid resource with 422 naming the FHIRPath, and writes nothing', async () => {
    const before = await committedRecords();
    const bad = { resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${f.own}` } };
    const { outcome } = await failsWith(chen.create({ resourceType: 'Observation', body: bad }), 422);
    assert.ok(
      outcome.issue.some((i) => i.expression?.includes('Observation.code')),
      JSON.stringify(outcome),
    );
    assert.equal(await committedRecords(), before);
  });

  it('refuses a body whose type is not the one in the URL (400)', async () => {
    await failsWith(chen.create({ resourceType: 'Condition', body: fk(observation(f.own)) }), 400);
  });

  it("denies a patient another patient's record (403)", async () => {
    const patient = await f.client('patient');
    const { outcome } = await failsWith(patient.read({ resourceType: 'Patient', id: f.other }), 403);
    assert.equal(outcome.issue[0]!.code, 'forbidden');
    // Their own is fine.
    assert.equal((await patient.read({ resourceType: 'Patient', id: f.own })).id, f.own);
  });

  it('never deletes or patches a record (405)', async () => {
    const { outcome, headers } = await failsWith(chen.delete({ resourceType: 'Patient', id: f.own }), 405);
    assert.equal(outcome.issue[0]!.code, 'not-supported');
    assert.equal(headers?.get('allow'), 'GET, PUT');
    const patch = chen.patch({
      resourceType: 'Patient',
      id: f.own,
      jsonPatch: [{ op: 'remove', path: '/name' }],
    });
    await failsWith(patch, 405);
    assert.equal(asObs(await chen.read({ resourceType: 'Patient', id: f.own })).id, f.own);
  });

  it('refuses a search without a patient or _id (400), and unknown parameters when strict', async () => {
    await failsWith(chen.search({ resourceType: 'Observation', searchParams: { code: '8867-4' } }), 400);
    await failsWith(
      chen.search({ resourceType: 'Observation', searchParams: { patient: f.own, date: 'xx' } }),
      400,
    );
    await failsWith(
      chen.search({ resourceType: 'Observation', searchParams: { subject: `Group/${f.own}` } }),
      400,
    );
    const strict = await f.client('chen', { prefer: 'handling=strict' });
    await failsWith(
      strict.search({ resourceType: 'Observation', searchParams: { patient: f.own, foo: '1' } }),
      400,
    );
    // Lenient (the default): ignored, and left out of the self link (search.html#errors).
    const b = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { patient: f.own, foo: '1' } }),
    );
    assert.ok(!b.link!.find((l) => l.relation === 'self')!.url.includes('foo'));
  });

  it('answers 404 for a type it does not store and an id it does not have', async () => {
    await failsWith(chen.request('Basic?patient=x'), 404);
    await failsWith(chen.read({ resourceType: 'Observation', id: 'no-such-record' }), 404);
    // A record read under another type is not found either.
    await failsWith(chen.read({ resourceType: 'Observation', id: f.own }), 404);
  });

  it('publishes a valid CapabilityStatement', async () => {
    const cs = (await chen.capabilityStatement()) as unknown as CapabilityStatement;
    ensureR4Definitions();
    validateResource(cs);
    assert.equal(cs.fhirVersion, '4.0.1');
    const byType = new Map(cs.rest![0]!.resource!.map((r) => [r.type, r]));
    assert.deepEqual(
      byType.get('Patient')!.operation!.map((o) => o.name),
      ['everything'],
    );
    const obs = byType.get('Observation')!;
    assert.deepEqual(obs.searchParam!.map((p) => p.name).sort(), [
      '_id',
      'code',
      'date',
      'patient',
      'subject',
    ]);
    assert.ok(!obs.interaction!.some((i) => i.code === 'delete'));
    assert.ok(byType.has('Consent') && byType.has('AuditEvent'));
  });

  it('creates, reads, amends (update), vreads and lists the history of a record', async () => {
    const created = asObs(
      await chen.create({ resourceType: 'Observation', body: fk(observation(f.own, { id: 'client-id' })) }),
    );
    assert.notEqual(created.id, 'client-id', 'a create ignores the client id (http.html#create)');
    const meta = created.meta!;
    assert.equal(meta.versionId, '1');
    assert.ok(!Number.isNaN(Date.parse(meta.lastUpdated!)));
    const h = headersOf(created);
    assert.equal(h.get('location'), `${f.base}/Observation/${created.id!}/_history/1`);
    assert.match(h.get('content-type') ?? '', /^application\/fhir\+json/);
    const id = created.id!;

    const read = asObs(await chen.read({ resourceType: 'Observation', id }));
    assert.deepEqual(read, created);
    assert.equal(headersOf(read).get('etag'), 'W/"1"');

    const amended = asObs(
      await chen.update({
        resourceType: 'Observation',
        id,
        body: fk({ ...read, status: 'amended', valueQuantity: { value: 74, unit: '/min' } }),
      }),
    );
    assert.equal(amended.meta?.versionId, '2');
    assert.equal(headersOf(amended).get('location'), `${f.base}/Observation/${id}/_history/2`);
    assert.equal(asObs(await chen.read({ resourceType: 'Observation', id })).status, 'amended');

    const v1 = asObs(await chen.vread({ resourceType: 'Observation', id, version: '1' }));
    assert.equal(v1.status, 'final');
    assert.equal(v1.valueQuantity?.value, 72);
    await failsWith(chen.vread({ resourceType: 'Observation', id, version: '3' }), 404);

    const history = asBundle(await chen.history({ resourceType: 'Observation', id }));
    assert.equal(history.type, 'history');
    assert.deepEqual(
      history.entry!.map((e) => [e.resource!.meta!.versionId, e.response!.status]),
      [
        ['2', '200 OK'],
        ['1', '201 Created'],
      ],
    );
    await failsWith(
      chen.update({ resourceType: 'Observation', id, body: fk({ ...read, id: 'other' }) }),
      400,
    );
  });

  it('pages through every match with next links', async () => {
    const all = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { patient: f.own, _count: 500 } }),
    );
    assert.ok(all.total! > 10, `only ${String(all.total)} observations`);
    assert.equal(all.entry!.length, all.total);
    assert.ok(
      all.entry!.every((e) => e.resource!.resourceType === 'Observation' && e.search?.mode === 'match'),
    );
    const seen: string[] = [];
    let page: Bundle | undefined = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { patient: f.own, _count: 7 } }),
    );
    let pages = 0;
    while (page) {
      assert.equal(page.total, all.total);
      assert.ok((page.entry ?? []).length <= 7);
      if (pages > 0) assert.ok(page.link!.some((l) => l.relation === 'previous'));
      seen.push(...idsOf(page));
      pages++;
      const next = chen.nextPage({ bundle: page as unknown as Parameters<Client['nextPage']>[0]['bundle'] });
      page = next ? asBundle(await next) : undefined;
    }
    assert.equal(pages, Math.ceil(all.total! / 7));
    assert.deepEqual(seen, idsOf(all));
    const bySubject = asBundle(
      await chen.search({
        resourceType: 'Observation',
        searchParams: { subject: `Patient/${f.own}`, _count: 500 },
      }),
    );
    assert.deepEqual(idsOf(bySubject), idsOf(all));
    const compartment = asBundle(
      await chen.compartmentSearch({
        resourceType: 'Observation',
        compartment: { resourceType: 'Patient', id: f.own },
        searchParams: { _count: 500 },
      }),
    );
    assert.deepEqual(idsOf(compartment), idsOf(all));
  });

  it('searches by code (system|code, code) and by date with prefixes', async () => {
    const all = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { patient: f.own, _count: 500 } }),
    );
    const resources = all.entry!.map((e) => e.resource as Observation);
    const c = codesOf(resources.find((r) => codesOf(r).some((k) => k.system && k.code))!).find(
      (k) => k.system && k.code,
    )!;
    const want = resources
      .filter((r) => codesOf(r).some((k) => k.system === c.system && k.code === c.code))
      .map((r) => r.id);
    const bySystem = asBundle(
      await chen.search({
        resourceType: 'Observation',
        searchParams: { patient: f.own, code: `${c.system!}|${c.code!}`, _count: 500 },
      }),
    );
    assert.deepEqual(idsOf(bySystem), want);
    const byCode = asBundle(
      await chen.search({
        resourceType: 'Observation',
        searchParams: { patient: f.own, code: c.code!, _count: 500 },
      }),
    );
    assert.ok(want.every((id) => idsOf(byCode).includes(id!)));
    const none = asBundle(
      await chen.search({
        resourceType: 'Observation',
        searchParams: { patient: f.own, code: `urn:nothing|${c.code!}` },
      }),
    );
    assert.equal(none.total, 0);
    // _id alone (each id an audited read; an unknown one is simply not found).
    const byId = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { _id: `${want[0]!},no-such-id` } }),
    );
    assert.deepEqual(idsOf(byId), [want[0]]);

    // ge and lt split second-precision dates in two (search.html#prefix).
    const dates = resources.map((r) => clinicalDate(r)!).sort();
    const pivot = dates[Math.floor(dates.length / 2)]!.slice(0, 10);
    const ge = idsOf(
      asBundle(
        await chen.search({
          resourceType: 'Observation',
          searchParams: { patient: f.own, date: `ge${pivot}`, _count: 500 },
        }),
      ),
    );
    const lt = idsOf(
      asBundle(
        await chen.search({
          resourceType: 'Observation',
          searchParams: { patient: f.own, date: `lt${pivot}`, _count: 500 },
        }),
      ),
    );
    const pivotLow = dateRange(pivot)!.low;
    const expectLt = resources.filter((r) => dateRange(clinicalDate(r)!)!.low < pivotLow).map((r) => r.id!);
    assert.deepEqual(lt, expectLt);
    assert.deepEqual([...ge, ...lt].sort(), idsOf(all).sort());
    assert.ok(ge.length > 0 && lt.length > 0);
    const both = asBundle(
      await chen.search({
        resourceType: 'Observation',
        searchParams: { patient: f.own, date: [`ge${pivot}`, `lt${pivot}`] },
      }),
    );
    assert.equal(both.total, 0, 'repeated date parameters are ANDed');
  });

  it('returns everything of a patient with $everything, the Patient first', async () => {
    const native = await f.t.api(`/api/v1/patients/${f.own}/records`, {
      token: await f.t.login('dr.chen@stmarys.example'),
    });
    const count = ((await native.json()) as unknown[]).length;
    const b = asBundle(
      await chen.operation({
        name: '$everything',
        resourceType: 'Patient',
        id: f.own,
        method: 'GET',
        input: { _count: 500 },
      }),
    );
    assert.equal(b.type, 'searchset');
    assert.equal(b.total, count);
    assert.equal(b.entry![0]!.resource!.resourceType, 'Patient');
    assert.equal(b.entry![0]!.resource!.id, f.own);
    // POST without parameters (the client's default) works too; _type narrows it.
    const posted = asBundle(await chen.operation({ name: 'everything', resourceType: 'Patient', id: f.own }));
    assert.equal(posted.total, count);
    const typed = asBundle(
      await chen.operation({
        name: 'everything',
        resourceType: 'Patient',
        id: f.own,
        method: 'GET',
        input: { _type: 'Patient,Condition', _count: 500 },
      }),
    );
    assert.ok(typed.entry!.every((e) => ['Patient', 'Condition'].includes(e.resource!.resourceType)));
  });
});
