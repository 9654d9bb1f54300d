/**
 * @module
 * A patient's records and the access log over the native API a page at a time: following the
 * `Link: rel="next"` headers gives exactly the unpaged list, each page of records is one audited read,
 * and bad cursors get a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

describe('GET /api/v1/patients/:id/records, paged', () => {
  let t: TestNode;
  let token: string;
  let patient: string;

  before(async () => {
    t = await startTestNode({ patients: 2 });
    token = await t.login(DEMO.chen);
    const found = (await (await t.api('/api/v1/patients', { token })).json()) as { id: string }[];
    patient = found[0]!.id;
  });
  after(() => t.close());

  const ids = async (r: Response): Promise<string[]> => {
    assert.equal(r.status, 200);
    return ((await r.json()) as { id: string }[]).map((v) => v.id);
  };

  it('gives the whole list through its next links, one audited read per page', async () => {
    const all = await ids(await t.api(`/api/v1/patients/${patient}/records`, { token }));
    assert.ok(all.length > 7, `the synthetic patient has ${String(all.length)} records`);
    const auditor = await t.login(DEMO.auditor);
    // Access events are transactions: counted once committed.
    const events = async (): Promise<number> => {
      await t.node.commit();
      const r = await t.api(`/api/v1/patients/${patient}/access-log`, { token: auditor });
      return ((await r.json()) as unknown[]).length;
    };
    const before = await events();
    const seen: string[] = [];
    let pages = 0;
    let next: string | undefined = `/api/v1/patients/${patient}/records?limit=7`;
    while (next !== undefined) {
      const r = await t.api(next, { token });
      seen.push(...(await ids(r)));
      pages++;
      next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
    }
    assert.deepEqual(seen, all);
    assert.equal(pages, Math.ceil(all.length / 7) + (all.length % 7 === 0 ? 1 : 0));
    // Every page that showed records was one read event (an empty last page shows none).
    assert.equal((await events()) - before, Math.ceil(all.length / 7));
  });

  it('refuses a malformed cursor or page size with 400', async () => {
    for (const q of ['after=%3Cscript%3E', 'limit=0', 'limit=1001', 'limit=abc'])
      assert.equal((await t.api(`/api/v1/patients/${patient}/records?${q}`, { token })).status, 400, q);
  });

  it('gives the access log a page at a time, the whole log through its next links', async () => {
    const auditor = await t.login(DEMO.auditor);
    await t.node.commit();
    for (const path of [`/api/v1/patients/${patient}/access-log`, '/api/v1/access-log']) {
      const whole = (await (await t.api(path, { token: auditor })).json()) as { tx: string }[];
      assert.ok(whole.length > 3, `${path}: ${String(whole.length)} events`);
      const seen: string[] = [];
      let next: string | undefined = `${path}?limit=3`;
      while (next !== undefined) {
        const r = await t.api(next, { token: auditor });
        assert.equal(r.status, 200);
        seen.push(...((await r.json()) as { tx: string }[]).map((e) => e.tx));
        next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
      }
      assert.deepEqual(
        seen,
        whole.map((e) => e.tx),
        path,
      );
      // Newest first: the same events in the opposite order, through `before` links.
      const newest: string[] = [];
      next = `${path}?order=newest&limit=3`;
      while (next !== undefined) {
        const r = await t.api(next, { token: auditor });
        assert.equal(r.status, 200);
        newest.push(...((await r.json()) as { tx: string }[]).map((e) => e.tx));
        next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
        if (next) assert.match(next, /order=newest&before=\d+/);
      }
      assert.deepEqual(newest, whole.map((e) => e.tx).reverse(), `${path} newest first`);
    }
    for (const q of [
      'after=abc',
      'after=-2',
      'limit=0',
      'limit=1001',
      'before=3',
      'order=newest&after=3',
      'order=up',
    ])
      assert.equal((await t.api(`/api/v1/access-log?${q}`, { token: auditor })).status, 400, q);
  });

  it('answers an unknown cursor with an empty page', async () => {
    assert.deepEqual(
      await ids(await t.api(`/api/v1/patients/${patient}/records?after=no-such-record`, { token })),
      [],
    );
  });
});
