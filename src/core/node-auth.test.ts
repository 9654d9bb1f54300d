import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateSigner, publicKeyObject } from './keys.ts';
import { NODE_HEADERS, signNodeRequest, verifyNodeRequest } from './node-auth.ts';

const a = generateSigner();
const other = generateSigner();
const pub = publicKeyObject(a.publicKey);
const member = (id: string) => (id === a.keyId ? pub : undefined);
const now = 1_800_000_000_000;
const path = '/api/v1/replica/blobs/' + 'ab'.repeat(32);

it('rejects requests of non-members, other paths, stale times and bad signatures', () => {
  const h = signNodeRequest(a, 'GET', path, now);
  assert.equal(
    verifyNodeRequest(signNodeRequest(other, 'GET', path, now), 'GET', path, now, member),
    undefined,
  );
  assert.equal(verifyNodeRequest(h, 'GET', path + 'x', now, member), undefined);
  assert.equal(verifyNodeRequest(h, 'POST', path, now, member), undefined);
  assert.equal(verifyNodeRequest(h, 'GET', path, now + 61_000, member), undefined);
  assert.equal(
    verifyNodeRequest({ ...h, [NODE_HEADERS.signature]: '00'.repeat(64) }, 'GET', path, now, member),
    undefined,
  );
  assert.equal(
    verifyNodeRequest({ ...h, [NODE_HEADERS.signature]: 'zz' }, 'GET', path, now, member),
    undefined,
  );
  assert.equal(verifyNodeRequest({}, 'GET', path, now, member), undefined);
});

it('accepts a fresh request signed by a member node', () => {
  assert.equal(
    verifyNodeRequest(signNodeRequest(a, 'GET', path, now), 'GET', path, now + 5_000, member),
    a.keyId,
  );
});
