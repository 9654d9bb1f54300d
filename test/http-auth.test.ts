/**
 * @module
 * Authentication over real HTTP (OWASP ASVS V2 and V3; HIPAA §164.312(a)(2)(iii) automatic logoff):
 * every way a request can fail to authenticate gives the same generic 401, roles are enforced, login
 * is rate-limited per account with Retry-After, a revoked user is logged out everywhere, and a
 * personal API token is shown once and never stored in clear.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_PASSWORD } from '../src/cli/demo-data.ts';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface ErrorJson {
  error: { code: string; message: string; data?: Record<string, unknown> };
}

const DAY = 86_400_000;

async function expectError(r: Response, status: number, code: string): Promise<ErrorJson> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  const body = JSON.parse(text) as ErrorJson;
  assert.equal(body.error.code, code, text);
  return body;
}

async function expect401(r: Response): Promise<void> {
  const body = await expectError(r, 401, 'ML_ERR_AUTH_FAILED');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  // Generic: nothing says which part failed.
  assert.deepEqual(body, { error: { code: 'ML_ERR_AUTH_FAILED', message: 'invalid credentials' } });
}

async function createToken(
  t: TestNode,
  session: string,
  body: Record<string, unknown>,
): Promise<{ token: string; info: { id: string } }> {
  const r = await t.api('/api/v1/auth/tokens', { token: session, body });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()) as { token: string; info: { id: string } };
}

describe('http auth', () => {
  let t: TestNode;
  // The server's clock (sessions, API token expiry, the limiter) can be moved forward.
  let offset = 0;

  before(async () => {
    t = await startTestNode({
      patients: 1,
      server: { limiter: { perAccount: 3, perAddress: 100 }, now: () => Date.now() + offset },
    });
  });
  after(async () => {
    await t.close();
  });

  it('requires a token', async () => {
    await expect401(await t.api('/api/v1/auth/me'));
    await expect401(await t.api('/api/v1/users'));
    await expect401(await t.api('/api/v1/records', { body: { resourceType: 'Observation' } }));
  });

  it('rejects a malformed Authorization header', async () => {
    for (const h of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer a b', 'bearer', 'Token abc', 'mls_x'])
      await expect401(await t.api('/api/v1/auth/me', { headers: { authorization: h } }));
  });

  it('rejects unknown and forged tokens', async () => {
    const real = await t.login(DEMO.chen);
    const forged = [
      'nonsense',
      'mls_garbage',
      `mls_${'0'.repeat(24)}_${'A'.repeat(43)}`,
      // The real session id with another secret.
      `${real.slice(0, 'mls_'.length + 25)}${'B'.repeat(43)}`,
      'mlt_garbage',
      `mlt_${'0'.repeat(24)}_${'A'.repeat(43)}`,
    ];
    for (const token of forged) await expect401(await t.api('/api/v1/auth/me', { token }));
    assert.equal((await t.api('/api/v1/auth/me', { token: real })).status, 200);
  });

  it('ends a session on logout', async () => {
    const token = await t.login(DEMO.chen);
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200);
    const r = await t.api('/api/v1/auth/logout', { method: 'POST', token });
    assert.equal(r.status, 204);
    await expect401(await t.api('/api/v1/auth/me', { token }));
    await expect401(await t.api('/api/v1/auth/logout', { method: 'POST', token }));
  });

  it('rejects a revoked API token', async () => {
    const session = await t.login(DEMO.okafor);
    const { token, info } = await createToken(t, session, { name: 'to revoke' });
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200); // now cached
    const r = await t.api(`/api/v1/auth/tokens/${info.id}`, { method: 'DELETE', token: session });
    assert.equal(r.status, 200);
    assert.equal(typeof ((await r.json()) as { revoked?: number }).revoked, 'number');
    await expect401(await t.api('/api/v1/auth/me', { token }));
  });

  it("cannot revoke another user's API token", async () => {
    const chen = await t.login(DEMO.chen);
    const { token, info } = await createToken(t, chen, { name: 'mine' });
    const okafor = await t.login(DEMO.okafor);
    const r = await t.api(`/api/v1/auth/tokens/${info.id}`, { method: 'DELETE', token: okafor });
    await expectError(r, 404, 'ML_ERR_NOT_FOUND');
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200);
  });

  it('rejects an expired API token', async () => {
    const session = await t.login(DEMO.okafor);
    const { token } = await createToken(t, session, { name: 'one day', expiresInDays: 1 });
    const cached = await createToken(t, session, { name: 'one day, cached', expiresInDays: 1 });
    assert.equal((await t.api('/api/v1/auth/me', { token: cached.token })).status, 200);
    offset = DAY + 60_000;
    try {
      await expect401(await t.api('/api/v1/auth/me', { token }));
      await expect401(await t.api('/api/v1/auth/me', { token: cached.token }));
    } finally {
      offset = 0;
    }
  });

  it('rejects a session past its absolute lifetime', async () => {
    const token = await t.login(DEMO.okafor);
    try {
      // A request every 10 minutes keeps the idle timer (15 min) fresh for 12 hours…
      for (let m = 10; m < 12 * 60; m += 10) {
        offset = m * 60_000;
        assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200, `at ${String(m)} min`);
      }
      // …but not past the absolute lifetime.
      offset = 12 * 3_600_000 + 1000;
      await expect401(await t.api('/api/v1/auth/me', { token }));
    } finally {
      offset = 0;
    }
  });

  it('rejects a session idle for longer than the timeout', async () => {
    const token = await t.login(DEMO.okafor);
    offset = 15 * 60_000 + 1000;
    try {
      await expect401(await t.api('/api/v1/auth/me', { token }));
    } finally {
      offset = 0;
    }
  });

  it('forbids a role its routes', async () => {
    const doctor = await t.login(DEMO.chen);
    const body = await expectError(
      await t.api('/api/v1/users', { token: doctor }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
    assert.equal(body.error.data?.role, 'doctor');
    const patient = await t.login(DEMO.patient);
    await expectError(
      await t.api('/api/v1/users', {
        token: patient,
        body: { email: 'x@stmarys.example', name: 'X', password: 'long enough pw', role: 'admin' },
      }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
    await expectError(
      await t.api('/api/v1/integrity/verify', { method: 'POST', token: doctor }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
  });

  it('gives one generic answer for an unknown email and a wrong password', async () => {
    const unknown = await t.api('/api/v1/auth/login', {
      body: { email: 'nobody@stmarys.example', password: 'whatever-password' },
    });
    const wrong = await t.api('/api/v1/auth/login', {
      body: { email: DEMO.research, password: 'whatever-password' },
    });
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(await unknown.text(), await wrong.text());
    assert.equal(unknown.headers.get('www-authenticate'), wrong.headers.get('www-authenticate'));
  });

  it('locks an account after repeated failures, with Retry-After', async () => {
    const email = DEMO.auditor;
    for (let i = 0; i < 3; i++) {
      const r = await t.api('/api/v1/auth/login', {
        body: { email, password: `wrong password ${String(i)}` },
      });
      await expect401(r);
    }
    const locked = await t.api('/api/v1/auth/login', { body: { email, password: 'wrong again!' } });
    await expectError(locked, 429, 'ML_ERR_RATE_LIMITED');
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `retry-after ${String(retry)}`);
    // The right password does not unlock it, nor does another spelling of the email…
    await expectError(
      await t.api('/api/v1/auth/login', {
        body: { email: ` ${email.toUpperCase()} `, password: DEMO_PASSWORD },
      }),
      429,
      'ML_ERR_RATE_LIMITED',
    );
    const withPassword = await fetchLogin(t, email);
    await expectError(withPassword, 429, 'ML_ERR_RATE_LIMITED');
    // …and other accounts are not affected.
    assert.equal((await fetchLogin(t, DEMO.admin)).status, 200);
    // After the window the account may log in again.
    offset = 15 * 60_000 + 1000;
    try {
      assert.equal((await fetchLogin(t, email)).status, 200);
    } finally {
      offset = 0;
    }
  });

  it("lists an organization's users in pages that together are the whole list", async () => {
    const admin = await t.login(DEMO.admin);
    const whole = (await (await t.api('/api/v1/users', { token: admin })).json()) as { keyId: string }[];
    assert.ok(whole.length >= 3, String(whole.length));
    const seen: string[] = [];
    let path: string | undefined = '/api/v1/users?limit=2';
    while (path) {
      const r = await t.api(path, { token: admin });
      assert.equal(r.status, 200);
      const page = (await r.json()) as { keyId: string }[];
      assert.ok(page.length <= 2);
      seen.push(...page.map((u) => u.keyId));
      path = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
    }
    assert.deepEqual(
      seen,
      whole.map((u) => u.keyId),
    );
    await expectError(
      await t.api('/api/v1/users?limit=1001', { token: admin }),
      400,
      'ML_ERR_HTTP_BAD_REQUEST',
    );
  });

  it('logs a revoked user out everywhere', async () => {
    const admin = await t.login(DEMO.admin);
    const victim = await t.login(DEMO.research);
    const { token } = await createToken(t, victim, { name: 'research script' });
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200);
    const me = (await (await t.api('/api/v1/auth/me', { token: victim })).json()) as { keyId: string };
    const r = await t.api(`/api/v1/users/${me.keyId}`, { method: 'DELETE', token: admin });
    assert.equal(r.status, 200, await r.clone().text());
    await expect401(await t.api('/api/v1/auth/me', { token: victim }));
    await expect401(await t.api('/api/v1/auth/me', { token }));
    await expect401(await fetchLogin(t, DEMO.research));
    const users = (await (await t.api('/api/v1/users', { token: admin })).json()) as {
      keyId: string;
      active: boolean;
    }[];
    assert.equal(users.find((u) => u.keyId === me.keyId)?.active, false);
    // An admin cannot revoke themself, nor a user of another organization.
    const self = (await (await t.api('/api/v1/auth/me', { token: admin })).json()) as { keyId: string };
    await expectError(
      await t.api(`/api/v1/users/${self.keyId}`, { method: 'DELETE', token: admin }),
      400,
      'ML_ERR_ARG_VALUE',
    );
    const patel = await t.login(DEMO.patel);
    const other = (await (await t.api('/api/v1/auth/me', { token: patel })).json()) as { keyId: string };
    await expectError(
      await t.api(`/api/v1/users/${other.keyId}`, { method: 'DELETE', token: admin }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    await expectError(
      await t.api(`/api/v1/users/${t.node.ledger.signer.keyId}`, { method: 'DELETE', token: admin }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    assert.equal((await t.api('/api/v1/auth/me', { token: patel })).status, 200);
    assert.equal((await t.api('/api/v1/auth/me', { token: admin })).status, 200);
    // Revoking twice is a 404, not a second transaction.
    const again = await t.api(`/api/v1/users/${me.keyId}`, { method: 'DELETE', token: admin });
    await expectError(again, 404, 'ML_ERR_NOT_FOUND');
  });

  it('success: login, me, API token shown once and never stored', async () => {
    const r = await t.api('/api/v1/auth/login', { body: { email: DEMO.chen, password: DEMO_PASSWORD } });
    assert.equal(r.status, 200);
    const login = (await r.json()) as {
      token: string;
      expiresAt: number;
      idleTimeoutMs: number;
      user: { email: string; role: string; org: string };
    };
    assert.match(login.token, /^mls_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    assert.equal(login.idleTimeoutMs, 15 * 60_000);
    assert.ok(login.expiresAt > Date.now());
    assert.deepEqual(
      { email: login.user.email, role: login.user.role, org: login.user.org },
      { email: DEMO.chen, role: 'doctor', org: 'st-marys' },
    );
    const me = (await (await t.api('/api/v1/auth/me', { token: login.token })).json()) as { email: string };
    assert.equal(me.email, DEMO.chen);

    const created = await createToken(t, login.token, { name: 'my script' });
    assert.match(created.token, /^mlt_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    const secret = created.token.slice(-43);
    const list = await t.api('/api/v1/auth/tokens', { token: login.token });
    assert.equal(list.status, 200);
    const listText = await list.text();
    assert.ok(!listText.includes(secret), 'GET /tokens shows the token');
    const infos = JSON.parse(listText) as { id: string; name: string }[];
    assert.ok(infos.some((i) => i.id === created.info.id && i.name === 'my script'));
    for (const i of infos)
      assert.deepEqual(
        Object.keys(i).filter((k) => /token|secret|hash/i.test(k)),
        [],
      );

    // Nothing in the data directory holds the token or its secret (vault.sqlite, its WAL, the ledger).
    await t.node.commit();
    for (const f of readdirSync(t.dir)) {
      if (!f.includes('sqlite')) continue;
      const bytes = readFileSync(join(t.dir, f));
      assert.equal(bytes.indexOf(secret), -1, `${f} contains the token secret`);
      assert.equal(bytes.indexOf(Buffer.from(secret, 'base64url')), -1, `${f} contains the secret bytes`);
    }

    const viaToken = await t.api('/api/v1/auth/me', { token: created.token });
    assert.equal(viaToken.status, 200);
    assert.equal(((await viaToken.json()) as { email: string }).email, DEMO.chen);
    // The token acts for the user: it can read the chain and its last use is recorded.
    assert.equal((await t.api('/api/v1/chain/head', { token: created.token })).status, 200);
    const after = (await (await t.api('/api/v1/auth/tokens', { token: login.token })).json()) as {
      id: string;
      lastUsed?: number;
    }[];
    assert.equal(typeof after.find((i) => i.id === created.info.id)?.lastUsed, 'number');
  });
});

describe('http auth: automatic logoff', () => {
  let t: TestNode;
  before(async () => {
    t = await startTestNode({ patients: 0, server: { sessions: { idleMs: 300 } } });
  });
  after(async () => {
    await t.close();
  });

  it('ends an idle session', async () => {
    const token = await t.login(DEMO.chen);
    // Activity every 100 ms keeps it alive for 600 ms, twice the idle timeout…
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200);
    }
    // …and 600 ms without a request ends it.
    await new Promise((r) => setTimeout(r, 600));
    await expect401(await t.api('/api/v1/auth/me', { token }));
  });
});

function fetchLogin(t: TestNode, email: string): Promise<Response> {
  return t.api('/api/v1/auth/login', { body: { email, password: DEMO_PASSWORD } });
}
