/**
 * @module
 * Consent lists are paged and read as they are sent (no request holds every consent): the native
 * list by `after` cursor with a `Link` header, FHIR Consent search by `_offset` with its `total`
 * counted as it streams, and a FHIR read by id that looks up one consent instead of the list. Each
 * caller still sees exactly the consents it may see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { syntheticPatients } from '../src/sim/synthetic.ts';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

async function json<T>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  return JSON.parse(text) as T;
}

interface FhirBundle {
  total?: number;
  entry?: { resource: { id: string } }[];
  link?: { relation: string; url: string }[];
}

const GRANTS = 5;

describe('consent lists in pages', () => {
  let t: TestNode;
  let patientId: string;
  const tokens: Record<'patient' | 'patel' | 'chen' | 'admin', string> = {
    patient: '',
    patel: '',
    chen: '',
    admin: '',
  };
  const granted: string[] = [];

  before(async () => {
    t = await startTestNode({ patients: 2 });
    patientId = syntheticPatients(2, { seed: 1, now: t.node.now })[0]!.patient.id!;
    for (const k of Object.keys(tokens) as (keyof typeof tokens)[]) tokens[k] = await t.login(DEMO[k]);
    for (let i = 0; i < GRANTS; i++) {
      const { tx } = await json<{ tx: string }>(
        await t.api('/api/v1/consents', {
          token: tokens.patient,
          body: {
            grantee: { kind: 'organization', orgId: 'riverside' },
            purpose: 'treatment',
            validTo: new Date(Date.now() + (i + 1) * 86_400_000).toISOString(),
          },
        }),
        201,
      );
      granted.push(tx);
    }
  });
  after(async () => {
    await t.close();
  });

  /** Every page of `/api/v1/consents` for `token`, following `Link` headers; ids in order. */
  async function allPages(token: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pages = 0;
    let path: string | undefined = `/api/v1/consents?limit=${String(limit)}`;
    while (path !== undefined) {
      const r = await t.api(path, { token });
      const page = await json<{ id: string }[]>(r, 200);
      pages++;
      assert.ok(page.length <= limit);
      ids.push(...page.map((c) => c.id));
      path = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
      assert.ok(pages <= GRANTS + 1, 'the pages end');
    }
    return { ids, pages };
  }

  it('pages the native list by cursor: the pages together are the whole list, in order', async () => {
    for (const who of ['patient', 'patel', 'admin'] as const) {
      const whole = await json<{ id: string }[]>(
        await t.api('/api/v1/consents', { token: tokens[who] }),
        200,
      );
      assert.deepEqual(
        whole.map((c) => c.id),
        granted,
        who,
      );
      const paged = await allPages(tokens[who], 2);
      assert.deepEqual(paged.ids, granted, who);
      assert.equal(paged.pages, 3, who); // 2 + 2 + 1: a short page has no next link
    }
    // Dr Chen's organization was granted nothing.
    assert.deepEqual(await allPages(tokens.chen, 2), { ids: [], pages: 1 });
  });

  it('refuses a page size out of bounds', async () => {
    await json(await t.api('/api/v1/consents?limit=0', { token: tokens.admin }), 400);
    await json(await t.api('/api/v1/consents?limit=1001', { token: tokens.admin }), 400);
  });

  it('streams FHIR Consent search: total counted, one page kept, offsets and filters applied', async () => {
    const page1 = await json<FhirBundle>(
      await t.api('/fhir/R4/Consent?_count=2', { token: tokens.patel }),
      200,
    );
    assert.equal(page1.total, GRANTS);
    assert.deepEqual(
      page1.entry?.map((e) => e.resource.id),
      granted.slice(0, 2),
    );
    assert.ok(page1.link?.some((l) => l.relation === 'next' && l.url.includes('_offset=2')));
    const last = await json<FhirBundle>(
      await t.api('/fhir/R4/Consent?_count=2&_offset=4', { token: tokens.patel }),
      200,
    );
    assert.deepEqual(
      last.entry?.map((e) => e.resource.id),
      granted.slice(4),
    );
    assert.equal(
      last.link?.some((l) => l.relation === 'next'),
      false,
    );
    const byPatient = await json<FhirBundle>(
      await t.api(`/fhir/R4/Consent?patient=Patient/${patientId}&status=active&_count=1`, {
        token: tokens.admin,
      }),
      200,
    );
    assert.equal(byPatient.total, GRANTS);
    const one = await json<FhirBundle>(
      await t.api(`/fhir/R4/Consent?_id=${granted[3]!}`, { token: tokens.admin }),
      200,
    );
    assert.deepEqual(
      one.entry?.map((e) => e.resource.id),
      [granted[3]],
    );
    const none = await json<FhirBundle>(await t.api('/fhir/R4/Consent', { token: tokens.chen }), 200);
    assert.equal(none.total, 0);
  });

  it('reads one FHIR Consent by id, only for those who may see it', async () => {
    const c = await json<{ id: string; status: string }>(
      await t.api(`/fhir/R4/Consent/${granted[2]!}`, { token: tokens.patel }),
      200,
    );
    assert.equal(c.id, granted[2]);
    assert.equal(c.status, 'active');
    await json(await t.api(`/fhir/R4/Consent/${granted[2]!}`, { token: tokens.chen }), 404);
  });
});
