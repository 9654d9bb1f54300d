import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openAead, sealAead } from './aead.ts';
import { utf8 } from './bytes.ts';
import { DecryptError } from './errors.ts';

const key = new Uint8Array(32).fill(1);
const aad = utf8('ctx');

void describe('AES-256-GCM seal/open', () => {
  it('rejects a wrong key, a wrong aad, a flipped byte anywhere and a truncated input', () => {
    const s = sealAead(key, utf8('secret'), aad);
    assert.throws(() => openAead(new Uint8Array(32).fill(2), s, aad), DecryptError);
    assert.throws(() => openAead(key, s, utf8('other')), DecryptError);
    for (let i = 0; i < s.length; i++) {
      const t = Uint8Array.from(s);
      t[i]! ^= 1;
      assert.throws(() => openAead(key, t, aad), DecryptError, `byte ${String(i)}`);
    }
    assert.throws(() => openAead(key, s.subarray(0, 20), aad), DecryptError);
  });

  it('round-trips with a fresh nonce each time', () => {
    const a = sealAead(key, utf8('secret'), aad);
    const b = sealAead(key, utf8('secret'), aad);
    assert.notDeepEqual(a, b);
    assert.equal(Buffer.from(openAead(key, a, aad)).toString(), 'secret');
    assert.equal(a.length, 12 + 6 + 16);
  });
});
