/**
 * @module
 * transaction and batch Bundles POSTed at the FHIR base (http://hl7.org/fhir/R4/http.html#transaction)
 * through the real server with fhir-kit-client: a transaction with one invalid entry writes nothing, a
 * batch answers each entry, and a Synthea patient Bundle imports over HTTP with zero rejections (the
 * smallest patient Bundle of test/fixtures/synthea-r4).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Client, FhirResource } from 'fhir-kit-client';
import {
  asBundle,
  asObs,
  committedRecords as committed,
  failsWith,
  fk,
  observation,
  startFhirFixture,
} from './fhir-support.ts';
import type { FhirFixture } from './fhir-support.ts';

const SYNTHEA = join(import.meta.dirname, 'fixtures', 'synthea-r4');
const syntheaFile = readdirSync(SYNTHEA)
  .filter((f) => f.endsWith('.json') && !f.includes('Information'))
  .map((f) => join(SYNTHEA, f))
  .sort((a, b) => statSync(a).size - statSync(b).size)[0];

describe('FHIR R4 transaction and batch (fhir-kit-client)', () => {
  let f: FhirFixture;
  let chen: Client;
  const committedRecords = (): Promise<number> => committed(f);

  before(async () => {
    f = await startFhirFixture(1);
    chen = await f.client('chen');
  });
  after(async () => {
    await f.t.close();
  });

  it('refuses a POST at the base that is not a transaction or batch (400)', async () => {
    await failsWith(
      chen.transaction({ body: { resourceType: 'Bundle', type: 'collection', entry: [] } }),
      400,
    );
    await failsWith(chen.transaction({ body: fk(observation(f.own)) }), 400);
  });

  it('refuses a whole transaction when one entry is invalid, writing nothing (422)', async () => {
    const before = await committedRecords();
    const body: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: observation(f.own),
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:2',
          resource: { ...observation(f.own), code: undefined } as unknown as Resource,
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const { outcome } = await failsWith(chen.transaction({ body: fk(body) }), 422);
    const where = outcome.issue.flatMap((i) => i.expression ?? []);
    assert.ok(
      where.some((e) => e.startsWith('Bundle.entry[1].resource')),
      JSON.stringify(outcome),
    );
    assert.ok(!where.some((e) => e.startsWith('Bundle.entry[0]')));
    assert.equal(await committedRecords(), before);
  });

  it('answers each entry of a batch on its own', async () => {
    const body: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: observation(f.own), request: { method: 'POST', url: 'Observation' } },
        {
          resource: { resourceType: 'Observation', status: 'final' } as Resource,
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const r = asBundle(await chen.batch({ body: fk(body) }));
    assert.equal(r.type, 'batch-response');
    const [ok, bad] = r.entry as [BundleEntry, BundleEntry];
    assert.equal(ok.response!.status, '201 Created');
    const [type, id, , version] = ok.response!.location!.split('/');
    assert.equal(type, 'Observation');
    assert.equal(version, '1');
    assert.equal(asObs(await chen.read({ resourceType: 'Observation', id: id! })).status, 'final');
    assert.match(bad.response!.status, /^422/);
    assert.ok(
      bad.response!.outcome!.issue.some((i) => i.expression?.includes('Bundle.entry[1].resource.code')),
    );
  });

  it('imports a Synthea patient Bundle as a transaction, with zero rejections', async () => {
    assert.ok(syntheaFile, 'a Synthea patient Bundle in test/fixtures/synthea-r4');
    const body = JSON.parse(readFileSync(syntheaFile, 'utf8')) as Bundle;
    const started = performance.now();
    const r = asBundle(await chen.transaction({ body: fk(body) }));
    const ms = performance.now() - started;
    assert.equal(r.type, 'transaction-response');
    assert.equal(r.entry!.length, body.entry!.length);
    assert.ok(
      r.entry!.every((e) => e.response!.status === '201 Created'),
      JSON.stringify(r.entry!.find((e) => e.response!.status !== '201 Created')),
    );
    const patientAt = body.entry!.findIndex((e) => e.resource!.resourceType === 'Patient');
    const patientId = r.entry![patientAt]!.response!.location!.split('/')[1]!;
    const observations = body.entry!.filter((e) => e.resource!.resourceType === 'Observation').length;
    const found = asBundle(
      await chen.search({ resourceType: 'Observation', searchParams: { patient: patientId, _count: 1 } }),
    );
    assert.equal(found.total, observations);
    // References were rewritten from urn:uuid: to the new ids.
    assert.equal(
      asObs(found.entry![0]!.resource as unknown as FhirResource).subject?.reference,
      `Patient/${patientId}`,
    );
    process.stdout.write(`# Synthea ${String(body.entry!.length)} entries imported in ${ms.toFixed(0)} ms\n`);
  });
});
