/**
 * @module
 * FHIR search of a patient with more records than one request may read: searched a window at a time
 * (`_cursor` in the next link, no `total`), each chunk of records one audited read, at most a budget
 * of records per request even when nothing matches; fhir-kit-client follows the links to exactly
 * the matches a whole search gives. Small limits stand in for the real ones (10,000 records).
 */
import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { after, before, describe, it } from 'node:test';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

const LIMITS = { wholeLimit: 5, chunk: 4, budget: 8 } as const;

describe('FHIR search of a large patient, by cursor', () => {
  let t: TestNode;
  let chen: Client;
  let token: string;
  let patient: string;
  let observations: string[];

  before(async () => {
    t = await startTestNode({ patients: 2, server: { fhirScan: LIMITS } });
    token = await t.login(DEMO.chen);
    chen = new Client({ baseUrl: `${t.url}/fhir/R4`, bearerToken: token });
    const found = (await (await t.api('/api/v1/patients', { token })).json()) as { id: string }[];
    patient = found[0]!.id;
    const records = (await (await t.api(`/api/v1/patients/${patient}/records`, { token })).json()) as {
      id: string;
      resource: { resourceType: string };
    }[];
    observations = records.filter((r) => r.resource.resourceType === 'Observation').map((r) => r.id);
    assert.ok(observations.length > 3 * LIMITS.budget, `${String(observations.length)} observations`);
  });
  after(() => t.close());

  const ids = (b: Bundle): string[] => (b.entry ?? []).map((e) => e.resource!.id!);

  /** Every page through the next links, with fhir-kit-client. */
  async function pages(first: Bundle): Promise<Bundle[]> {
    const out = [first];
    for (;;) {
      const next = chen.nextPage({
        bundle: out.at(-1) as unknown as Parameters<Client['nextPage']>[0]['bundle'],
      });
      if (!next) return out;
      out.push((await next) as unknown as Bundle);
    }
  }

  it('pages through every match with _cursor links and no total', async () => {
    const first = (await chen.search({
      resourceType: 'Observation',
      searchParams: { patient, _count: 3 },
    })) as unknown as Bundle;
    assert.equal(first.total, undefined);
    assert.match(first.link!.find((l) => l.relation === 'next')!.url, /_cursor=/);
    const all = await pages(first);
    assert.ok(all.every((b) => (b.entry ?? []).length <= 3));
    assert.deepEqual(all.flatMap(ids), observations);
  });

  it('reads at most the budget per request when nothing matches, and ends', async () => {
    await t.node.commit();
    const before = t.node.ledger.store.txCount();
    const first = (await chen.search({
      resourceType: 'Observation',
      searchParams: { patient, code: 'http://loinc.org|no-such-code', _count: 3 },
    })) as unknown as Bundle;
    await t.node.commit();
    // One audited read per chunk, two chunks to the budget.
    assert.equal(t.node.ledger.store.txCount() - before, LIMITS.budget / LIMITS.chunk);
    const all = await pages(first);
    assert.deepEqual(all.flatMap(ids), []);
    assert.ok(all.length > 1, 'the scan went on over several requests');
  });

  it('pages $everything the same way', async () => {
    const first = (await (
      await t.api(`/fhir/R4/Patient/${patient}/$everything?_count=10`, { token })
    ).json()) as Bundle;
    const all = await pages(first);
    const everything = all.flatMap(ids);
    assert.equal(everything[0], patient);
    for (const o of observations) assert.ok(everything.includes(o));
  });

  it('pages a long access log as AuditEvents by cursor, newest first, and finds one by id', async () => {
    const auditor = await t.login(DEMO.auditor);
    await t.node.commit();
    const native = (await (
      await t.api(`/api/v1/patients/${patient}/access-log`, { token: auditor })
    ).json()) as { tx: string }[];
    assert.ok(native.length > 5, `${String(native.length)} events`);
    const client = new Client({ baseUrl: `${t.url}/fhir/R4`, bearerToken: auditor });
    const first = (await client.search({
      resourceType: 'AuditEvent',
      searchParams: { patient, _count: 2 },
    })) as unknown as Bundle;
    assert.equal(first.total, undefined);
    const all: Bundle[] = [first];
    for (;;) {
      const next = client.nextPage({
        bundle: all.at(-1) as unknown as Parameters<Client['nextPage']>[0]['bundle'],
      });
      if (!next) break;
      all.push((await next) as unknown as Bundle);
    }
    // Events logged meanwhile (these very searches are not: AuditEvent reads are not access events).
    assert.deepEqual(all.flatMap(ids), native.map((e) => e.tx).reverse());
    const one = await t.api(`/fhir/R4/AuditEvent/${native[0]!.tx}`, { token: auditor });
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as { id: string }).id, native[0]!.tx);
    assert.equal((await t.api(`/fhir/R4/AuditEvent/${'0'.repeat(64)}`, { token: auditor })).status, 404);
    assert.equal((await t.api(`/fhir/R4/AuditEvent/not-an-id`, { token: auditor })).status, 404);
    // A patient finds their own events by id, and not another patient's.
    const own = await t.login(DEMO.patient);
    const mine = new Set(
      ((await (await t.api('/api/v1/access-log', { token: own })).json()) as { tx: string }[]).map(
        (e) => e.tx,
      ),
    );
    const everyone = (await (await t.api('/api/v1/access-log', { token: auditor })).json()) as {
      tx: string;
    }[];
    const theirs = everyone.find((e) => !mine.has(e.tx))!;
    assert.equal((await t.api(`/fhir/R4/AuditEvent/${theirs.tx}`, { token: own })).status, 404);
    const [ownEvent] = mine;
    assert.equal((await t.api(`/fhir/R4/AuditEvent/${ownEvent!}`, { token: own })).status, 200);
  });

  it('refuses _offset with _cursor and a malformed cursor', async () => {
    for (const q of ['_cursor=abc&_offset=3', '_cursor=%3Cx%3E', '_offset=3'])
      assert.equal((await t.api(`/fhir/R4/Observation?patient=${patient}&${q}`, { token })).status, 400, q);
  });
});
