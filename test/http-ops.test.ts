/**
 * @module
 * The server's operational contract over real HTTP: malformed requests get a 4xx with a registry
 * code and never a 500 (fuzzed with fast-check), security headers (OWASP secure headers), Prometheus
 * metrics, the OpenAPI 3 document, and a graceful shutdown in which every write answered 201 is on the
 * chain when the node is opened again.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { DEMO_ORGS, syntheticPatients } from '../src/sim/synthetic.ts';
import { DEMO, startTestNode, TEST_KDF } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface ErrorJson {
  error: { code: string; message: string; data?: Record<string, unknown> };
}

const BODY_LIMIT = 8 * 1024;

async function expectError(r: Response, status: number, code: string): Promise<ErrorJson> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  const body = JSON.parse(text) as ErrorJson;
  assert.equal(body.error.code, code, text);
  assert.equal(typeof body.error.message, 'string');
  return body;
}

/** A response to garbage: any 4xx (or a success) with a registry error body, never a 5xx. */
async function expectHandled(r: Response, what: string): Promise<void> {
  const text = await r.text();
  assert.ok(r.status < 500, `${what}: ${String(r.status)} ${text}`);
  if (r.status >= 400) {
    const body = JSON.parse(text) as Partial<ErrorJson>;
    assert.match(body.error?.code ?? '', /^ML_ERR_[A-Z_]+$/, `${what}: ${text}`);
  }
}

/** A POST over its own connection (node:http), so a reset is seen as such and nothing is pooled. */
function post(
  url: string,
  token: string,
  body: unknown,
  agent: Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      },
    );
    req.on('error', (e) => {
      resolve({ status: -1, body: e.message });
    });
    req.end(data);
  });
}

/**
 * Strings a fuzzer would send in a path segment or query value (encoded, at most Fastify's
 * maxParamLength of 100; longer ones are the todo test's).
 */
const garbage = fc
  .oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      '..',
      '../../etc/passwd',
      '\u0000',
      '__proto__',
      'constructor',
      ' ',
      '0'.repeat(100),
      '-1',
      '1e309',
      'NaN',
      '[]',
      '{}',
      'a'.repeat(64),
      'f'.repeat(64),
      '%',
      '?',
      '#',
    ),
  )
  .filter((g) => encodeURIComponent(g).length <= 100);

describe('http ops', () => {
  let t: TestNode;
  let chen: string;
  let admin: string;
  let patient: string;
  let patientId: string;

  before(async () => {
    t = await startTestNode({
      patients: 1,
      server: { bodyLimit: BODY_LIMIT, limiter: { perAddress: 100_000, perAccount: 100_000 } },
    });
    chen = await t.login(DEMO.chen);
    admin = await t.login(DEMO.admin);
    patient = await t.login(DEMO.patient);
    patientId = syntheticPatients(1, { seed: 1, now: t.node.now })[0]!.patient.id!;
  });
  after(async () => {
    await t.close();
  });

  /** fetch with a raw body and headers, as a careless or hostile client would send. */
  function raw(
    path: string,
    init: { method?: string; token?: string; type?: string; body?: string },
  ): Promise<Response> {
    return fetch(`${t.url}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.type ? { 'content-type': init.type } : {}),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  }

  it('rejects bad JSON', async () => {
    const bad = ['{"resourceType":', '{resourceType: "Observation"}', "{'a':1}", '{"a":1}}', '\u00ff', ''];
    for (const body of bad) {
      await expectError(
        await raw('/api/v1/records', { token: chen, type: 'application/json', body }),
        400,
        'ML_ERR_HTTP_BAD_REQUEST',
      );
      // Before authentication too (login is public).
      await expectError(
        await raw('/api/v1/auth/login', { type: 'application/json', body }),
        400,
        'ML_ERR_HTTP_BAD_REQUEST',
      );
    }
    // A prototype-polluting body is refused outright (Fastify's secure JSON parser).
    const proto = '{"resourceType":"Observation","__proto__":{"polluted":true}}';
    await expectError(
      await raw('/api/v1/records', { token: chen, type: 'application/json', body: proto }),
      400,
      'ML_ERR_HTTP_BAD_REQUEST',
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects a body over the limit', async () => {
    const big = JSON.stringify({ resourceType: 'Observation', note: [{ text: 'x'.repeat(BODY_LIMIT) }] });
    await expectError(
      await raw('/api/v1/records', { token: chen, type: 'application/json', body: big }),
      413,
      'ML_ERR_HTTP_TOO_LARGE',
    );
    // Checked before authentication's cost matters: the same without a token is refused, not parsed.
    const r = await raw('/api/v1/auth/login', { type: 'application/json', body: big });
    assert.ok(r.status === 413 || r.status === 401, String(r.status));
    await r.text();
  });

  it('rejects a body of another content type', async () => {
    for (const type of [
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
    ])
      await expectError(
        await raw('/api/v1/records', { token: chen, type, body: '<Observation/>' }),
        415,
        'ML_ERR_HTTP_MEDIA_TYPE',
      );
    // text/plain too: the server removes Fastify's parser for it (a string body was a 400 before).
    await expectError(
      await raw('/api/v1/records', { token: chen, type: 'text/plain', body: '{}' }),
      415,
      'ML_ERR_HTTP_MEDIA_TYPE',
    );
  });

  it('answers an unknown route 404, signed in or not', async () => {
    for (const token of [undefined, chen]) {
      await expectError(
        await t.api('/api/v1/nope', { ...(token ? { token } : {}) }),
        404,
        'ML_ERR_HTTP_NOT_FOUND',
      );
      await expectError(await t.api('/nope', { ...(token ? { token } : {}) }), 404, 'ML_ERR_HTTP_NOT_FOUND');
      await expectError(
        await t.api('/api/v1/records', { method: 'PUT', ...(token ? { token } : {}) }),
        404,
        'ML_ERR_HTTP_NOT_FOUND',
      );
    }
  });

  it('rejects requests that break the schema', async () => {
    const cases: [string, string, unknown, string?][] = [
      ['POST', '/api/v1/auth/login', { email: DEMO.chen }],
      ['POST', '/api/v1/auth/login', { email: DEMO.chen, password: 'x', extra: 1 }],
      ['POST', '/api/v1/auth/tokens', { name: 'x', expiresInDays: 0 }],
      ['POST', '/api/v1/auth/tokens', { name: '' }],
      [
        'POST',
        '/api/v1/users',
        { email: 'a@b.example', name: 'A', password: 'short', role: 'doctor' },
        admin,
      ],
      [
        'POST',
        '/api/v1/users',
        { email: 'a@b.example', name: 'A', password: 'long enough!', role: 'node' },
        admin,
      ],
      [
        'POST',
        '/api/v1/consents',
        { grantee: 5, purpose: 'treatment', validTo: '2099-01-01T00:00:00Z' },
        patient,
      ],
      ['POST', '/api/v1/records', { status: 'final' }],
      ['POST', '/api/v1/records', [{ resourceType: 'Observation' }]],
      ['POST', '/api/v1/erasure-requests', { records: null, all: true }, patient],
      ['GET', '/api/v1/records/x?purpose=fun', undefined],
      ['GET', '/api/v1/records/x?breakGlassReason=short', undefined],
      ['GET', '/api/v1/chain/blocks/-1', undefined],
      ['GET', '/api/v1/chain/consistency?from=1.5', undefined],
      ['GET', '/api/v1/research/omop?format=xml', undefined, await t.login(DEMO.research)],
      ['DELETE', '/api/v1/users/not-a-key-id', undefined, admin],
    ];
    for (const [method, path, body, token] of cases) {
      const r = await t.api(path, { method, token: token ?? chen, ...(body === undefined ? {} : { body }) });
      const e = await expectError(r, 400, 'ML_ERR_HTTP_BAD_REQUEST');
      assert.ok(e.error.message.length > 0, `${method} ${path}`);
    }
  });

  it('never answers garbage with a 500', async () => {
    const tokens = [chen, admin, patient];
    const paths = [
      (x: string) => `/api/v1/records/${x}`,
      (x: string) => `/api/v1/records/${x}/proof`,
      (x: string) => `/api/v1/patients/${x}/records`,
      (x: string) => `/api/v1/patients/${x}/access-log`,
      (x: string) => `/api/v1/chain/blocks/${x}`,
      (x: string) => `/api/v1/chain/txs/${x}`,
      (x: string) => `/api/v1/chain/txs/${x}/proof`,
      (x: string) => `/api/v1/chain/consistency?from=${x}&to=${x}`,
      (x: string) => `/api/v1/chain/consistency?from=1&to=${x}`,
      (x: string) => `/api/v1/records/${x}?purpose=${x}&breakGlassReason=${x}`,
      (x: string) => `/api/v1/patients/${patientId}/records?breakGlassReason=${x}`,
      (x: string) => `/api/v1/patients?q=${x}&limit=${x}`,
      (x: string) => `/api/v1/research/omop?format=csv&table=${x}`,
    ];
    const deletes = [
      (x: string) => `/api/v1/consents/${x}`,
      (x: string) => `/api/v1/auth/tokens/${x}`,
      (x: string) => `/api/v1/users/${x}`,
    ];
    await fc.assert(
      fc.asyncProperty(garbage, fc.nat(100), async (g, n) => {
        const x = encodeURIComponent(g);
        const token = tokens[n % tokens.length]!;
        for (const p of paths) await expectHandled(await t.api(p(x), { token }), `GET ${p(x)}`);
        for (const p of deletes)
          await expectHandled(await t.api(p(x), { method: 'DELETE', token }), `DELETE ${p(x)}`);
        await expectHandled(
          await t.api(`/api/v1/erasure-requests/${x}/approval`, { method: 'POST', token: admin, body: {} }),
          'approval',
        );
      }),
      { numRuns: 25 },
    );
  });

  it('never answers a garbage body with a 500', async () => {
    const writes = [
      '/api/v1/records',
      '/api/v1/records/x/amendments',
      '/api/v1/consents',
      '/api/v1/auth/tokens',
      '/api/v1/users',
      '/api/v1/organizations',
      '/api/v1/erasure-requests',
      '/api/v1/integrity/verify',
    ];
    const bodies = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.constantFrom(
          'resourceType',
          'subject',
          'grantee',
          'purpose',
          'validTo',
          'name',
          'email',
          'records',
          'id',
        ),
        fc.jsonValue({ maxDepth: 3 }),
      ),
      fc.record({
        resourceType: fc.constantFrom('Observation', 'Patient', 'Condition', 'Bundle', 'OperationOutcome'),
        subject: fc.oneof(fc.jsonValue(), fc.constant({ reference: `Patient/${patientId}` })),
        status: fc.oneof(fc.string(), fc.constant('final')),
        code: fc.jsonValue({ maxDepth: 3 }),
        id: fc.oneof(fc.string(), fc.constant('x')),
      }),
    );
    const tokens = [chen, admin, patient];
    await fc.assert(
      fc.asyncProperty(bodies, fc.nat(100), async (body, n) => {
        const token = tokens[n % tokens.length]!;
        for (const path of writes)
          await expectHandled(await t.api(path, { token, body }), `POST ${path} ${JSON.stringify(body)}`);
        await expectHandled(await t.api('/api/v1/auth/login', { body }), 'login');
      }),
      { numRuns: 30 },
    );
  });

  it('a malformed URL gets a registry error body', async () => {
    for (const path of ['/api/v1/records/%E0%A4%A', `/api/v1/records/${'0'.repeat(300)}`]) {
      const r = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${chen}` } });
      assert.equal(r.status, 400);
      await expectHandled(r, path);
    }
  });

  it('sends security headers on every answer', async () => {
    const answers = [
      await t.api('/'),
      await t.api('/health'),
      await t.api('/api/v1/auth/me'),
      await t.api('/api/v1/auth/me', { token: chen }),
      await t.api('/api/v1/nope', { token: chen }),
    ];
    for (const r of answers) {
      await r.arrayBuffer();
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', r.url);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, r.url);
      assert.match(csp, /frame-ancestors 'none'/, r.url);
      assert.match(csp, /object-src 'none'/, r.url);
      assert.ok(!csp.includes('unsafe-eval'), r.url);
      assert.equal(r.headers.get('x-powered-by'), null);
      assert.ok(r.headers.get('strict-transport-security'));
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('answers with PHI are not cached', async () => {
    const r = await t.api(`/api/v1/patients/${patientId}/records`, { token: chen });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
  });

  it('serves Prometheus metrics', async () => {
    for (let i = 0; i < 3; i++) await (await t.api('/health')).arrayBuffer();
    await (await t.api('/api/v1/auth/me')).arrayBuffer();
    // Access events of earlier tests may still be mining: the gauge is read between two heights.
    const low = t.node.ledger.height;
    const r = await t.api('/metrics');
    const high = t.node.ledger.height;
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await r.text();
    const value = (re: RegExp): number => Number(re.exec(text)?.[1]);
    const height = value(/^medledger_block_height (\d+)$/m);
    // The caches: each bound as configured (the defaults here), and what the per-record ones hold.
    assert.equal(
      value(/^medledger_cache_capacity\{cache="sqlite-ledger",unit="bytes"\} (\d+)$/m),
      64 * 2 ** 20,
    );
    assert.equal(value(/^medledger_cache_capacity\{cache="blind-ids",unit="entries"\} (\d+)$/m), 100_000);
    const blinds = value(/^medledger_cache_used\{cache="blind-ids",unit="entries"\} (\d+)$/m);
    assert.ok(blinds > 0 && blinds <= 100_000, String(blinds));
    assert.equal(value(/^medledger_cache_capacity\{cache="directory-keys",unit="entries"\} (\d+)$/m), 10_000);
    const keys = value(/^medledger_cache_used\{cache="directory-keys",unit="entries"\} (\d+)$/m);
    assert.ok(keys > 0 && keys <= 10_000, String(keys)); // the signers looked up so far
    assert.equal(value(/^medledger_cache_capacity\{cache="tx-id-buffer",unit="entries"\} (\d+)$/m), 2 ** 19);
    const ids = value(/^medledger_cache_used\{cache="tx-id-buffer",unit="entries"\} (\d+)$/m);
    assert.ok(ids > 0 && ids <= 2 ** 19, String(ids)); // the demo's transactions, none merged yet
    // The worker threads' heaps, which the process's heap figures leave out.
    const miner = value(/^medledger_thread_heap_bytes\{thread="medledger-miner",kind="used"\} (\d+)$/m);
    const reserved = value(/^medledger_thread_heap_bytes\{thread="medledger-miner",kind="total"\} (\d+)$/m);
    assert.ok(miner > 100_000 && miner <= reserved, `${String(miner)} of ${String(reserved)}`);
    assert.ok(height >= low && height <= high, `${String(height)} not in ${String(low)}..${String(high)}`);
    assert.ok(
      value(/^medledger_http_requests_total\{method="GET",route="\/health",status="200"\} (\d+)$/m) >= 3,
    );
    assert.ok(
      value(
        /^medledger_http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} (\d+)$/m,
      ) >= 1,
    );
    assert.match(
      text,
      /^medledger_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/health"\} \d+$/m,
    );
    assert.match(text, /^medledger_integrity_ok 1$/m);
    assert.match(text, /^medledger_process_resident_memory_bytes \d+/m);
    // Route patterns only: no id or other URL part leaks into label values.
    assert.ok(!text.includes(patientId));
  });

  it('serves the OpenAPI document', async () => {
    const r = await t.api('/openapi.json');
    assert.equal(r.status, 200);
    const doc = JSON.parse(await r.text()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: object; security?: unknown[] }>>;
      components?: { securitySchemes?: object };
    };
    assert.match(doc.openapi, /^3\./);
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/records',
      '/api/v1/records/{id}',
      '/api/v1/records/{id}/proof',
      '/api/v1/consents',
      '/api/v1/access-log',
      '/api/v1/chain/consistency',
      '/health',
    ])
      assert.ok(doc.paths[p], `missing ${p}`);
    assert.ok(doc.paths['/api/v1/records']!.post?.responses);
    assert.deepEqual(doc.paths['/api/v1/auth/login']!.post?.security, []);
    assert.ok(doc.components?.securitySchemes);
    // Public without a token, like /docs.
    assert.equal((await t.api('/docs')).status < 400, true);
  });
});

describe('http ops: graceful shutdown', () => {
  let t: TestNode;
  let reopened: MedicalNode | undefined;
  let results: { status: number; body: string }[] = [];

  before(async () => {
    t = await startTestNode({ patients: 1 });
  });
  after(async () => {
    await reopened?.close();
    await t.close();
  });

  it('success: every write answered 201 is on the chain after a restart', async () => {
    const token = await t.login(DEMO.chen);
    const url = `${t.url}/api/v1/records`;
    const writes = Array.from({ length: 40 }, (_, i) =>
      post(url, token, { resourceType: 'Observation', status: 'final', code: { text: `w${String(i)}` } }),
    );
    // Close once the first writes are answered, with the rest in flight.
    const first = await Promise.race(writes);
    assert.equal(first.status, 201, first.body);
    await t.server.close();
    results = await Promise.all(writes);
    const ok = results
      .filter((r) => r.status === 201)
      .map((r) => JSON.parse(r.body) as { tx: string; id: string });
    for (const r of results)
      assert.ok(r.status === 201 || r.status === 503 || r.status === -1, `${String(r.status)} ${r.body}`);
    assert.ok(ok.length >= 1);

    const opened = await MedicalNode.open(t.dir, {
      org: { id: DEMO_ORGS[0]!.slug, name: DEMO_ORGS[0]!.name },
      kdf: TEST_KDF,
    });
    reopened = opened.node;
    assert.equal(opened.admin, undefined, 'the node was set up again');
    for (const w of ok) {
      assert.ok(reopened.ledger.store.txById(w.tx), `201 write ${w.tx} is not on the chain`);
      assert.ok(reopened.state.records.has(w.id));
    }
    // Writes not answered 201 were not carried out either (a client may safely retry them).
    const chenKey = reopened.accounts.byEmail(DEMO.chen)!.keyId;
    const written = [...reopened.state.records.values()].filter((r) => r.author === chenKey);
    assert.equal(written.length, ok.length);
    assert.equal(reopened.ledger.pendingCount, 0);
    // Nothing half-done: the chain verifies in full.
    const report = await reopened.ledger.verify({ full: true, signatures: true });
    assert.deepEqual(report.problems, []);
  });

  it('every write on the wire at close is answered, 201 or a registry 503', () => {
    assert.ok(results.length > 0);
    for (const r of results) {
      assert.ok(r.status === 201 || r.status === 503, `${String(r.status)} ${r.body}`);
      if (r.status === 503)
        assert.equal((JSON.parse(r.body) as ErrorJson).error.code, 'ML_ERR_NODE_UNAVAILABLE');
    }
  });
});

describe('http ops: shutdown with keep-alive clients', () => {
  let t: TestNode;
  before(async () => {
    t = await startTestNode({ patients: 0 });
  });
  after(async () => {
    t.server.app.server.closeAllConnections();
    await t.close();
  });

  it('close does not wait for the keep-alive timeout', async () => {
    const token = await t.login(DEMO.chen);
    // A write whose body is still arriving when close starts: in flight, on a keep-alive connection.
    let push: (s: string) => void = () => undefined;
    let end: () => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => {
          c.enqueue(new TextEncoder().encode(s));
        };
        end = () => {
          c.close();
        };
      },
    });
    const json = JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'slow' } });
    const write = fetch(`${t.url}/api/v1/records`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    push(json.slice(0, 10));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const closed = t.server.close().then(() => 'closed');
    await new Promise((r) => setTimeout(r, 50));
    push(json.slice(10));
    end();
    const r = await write;
    await r.arrayBuffer();
    assert.equal(r.status, 201);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closed,
      new Promise((res) => (timer = setTimeout(res, 3000, 'timeout'))),
    ]);
    clearTimeout(timer);
    // Release the server either way, so the file does not wait for the 72 s keep-alive timeout.
    t.server.app.server.closeAllConnections();
    await closed;
    assert.equal(r.headers.get('connection'), 'close');
    assert.equal(outcome, 'closed', `close took ${String(Math.round(performance.now() - t0))} ms or more`);
  });
});
