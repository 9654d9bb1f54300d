import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { generateX25519 } from '../core/hpke.ts';
import { openRecord, recordKey, sealRecord } from './record-crypto.ts';
import { SqliteVault } from './sqlite-vault.ts';
import type { Recipient } from './vault.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-record-crypto-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('record keys', () => {
  const a = { recipient: 'org:a' as Recipient, key: generateX25519() };
  const b = { recipient: 'org:b' as Recipient, key: generateX25519() };
  const resource: Patient = { resourceType: 'Patient', id: 'p1', gender: 'female' };

  it('opens with a held wrap, remembers it per recipient, and forgets it with the erased record', () => {
    const vault = new SqliteVault(join(dir, 'vault.sqlite'));
    const sealed = sealRecord('rec-1', resource, [{ recipient: a.recipient, publicKey: a.key.publicKey }]);
    const [blob] = vault.put({ blobs: [{ record: 'rec-1', data: sealed.ciphertext }], keys: sealed.keys });
    const first = recordKey(vault, 'rec-1', [a]);
    assert.ok(first);
    assert.deepEqual(openRecord(vault, 'rec-1', blob!, first), resource);
    // The second read is served from memory, and the same key.
    assert.equal(recordKey(vault, 'rec-1', [a]), first);
    // Another recipient without a wrap gets nothing, although the key is in memory for `a`.
    assert.equal(recordKey(vault, 'rec-1', [b]), undefined);
    vault.erase([{ record: 'rec-1', blob: blob! }]);
    assert.equal(recordKey(vault, 'rec-1', [a]), undefined);
    assert.ok(
      first.every((x) => x === 0),
      'the remembered key is zeroed on erasure',
    );
    vault.close();
  });
});
