import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../core/bytes.ts';
import { signerFromSeed } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { KeyRegistry } from './key-registry.ts';
import { fixedTx, fixedTxCount } from './tx-fixtures.test-util.ts';
import type { Role } from './key-registry.ts';

// Fixed keys from the RFC 8032 §7.1 seeds (TEST 1, 2, 3, SHA(abc)).
const seed = (hex: string): Signer => signerFromSeed(fromHex(hex, 32, 'seed'));
const nodeKey = seed('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const adminKey = seed('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const doctorKey = seed('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7');
const patientKey = seed('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42');

const tx = fixedTx;
const ORG = 'test-org';
const register = (by: Signer, key: Signer, role: Role) =>
  tx(
    by,
    'identity.register',
    role === 'node'
      ? { publicKey: toHex(key.publicKey), role }
      : {
          publicKey: toHex(key.publicKey),
          role,
          org: ORG,
          encryptionKey: '11'.repeat(32),
          ...(role === 'patient' ? { patient: '22'.repeat(32) } : {}),
        },
  );
const orgJoin = (by: Signer, org = ORG) =>
  tx(by, 'org.join', { org, name: 'Test Hospital', encryptionKey: '33'.repeat(32) });
const revoke = (by: Signer, key: Signer) => tx(by, 'identity.revoke', { keyId: key.keyId });
const data = (by: Signer) => tx(by, 'data.put', { n: fixedTxCount() });
const genesis = (by: Signer) => tx(by, 'chain.genesis', { chainId: 'test', minDifficulty: 0 });

/**
 * A registry after the genesis block (node key, self-registered) and block 1 (admin and doctor,
 * registered by the node key).
 */
function bootstrapped(): KeyRegistry {
  const r = new KeyRegistry();
  const block0 = [genesis(nodeKey), register(nodeKey, nodeKey, 'node')];
  for (const t of block0) assert.equal(r.check(t, 0), undefined);
  r.apply(block0, 0);
  const join = orgJoin(nodeKey);
  assert.equal(r.check(join, 1), undefined);
  r.apply([join], 1);
  const block1 = [register(nodeKey, adminKey, 'admin'), register(nodeKey, doctorKey, 'doctor')];
  for (const t of block1) assert.equal(r.check(t, 1), undefined);
  r.apply(block1, 1);
  return r;
}

void describe('KeyRegistry genesis', () => {
  it('rejects self-registration of a node key after height 0', () => {
    const r = new KeyRegistry();
    assert.equal(r.check(register(nodeKey, nodeKey, 'node'), 1)?.kind, 'tx-unknown-signer');
    assert.equal(r.check(register(nodeKey, nodeKey, 'node'), 7)?.kind, 'tx-unknown-signer');
  });

  it('rejects genesis self-registration with a role other than node', () => {
    const r = new KeyRegistry();
    assert.equal(r.check(register(doctorKey, doctorKey, 'doctor'), 0)?.kind, 'tx-unknown-signer');
    assert.equal(r.check(register(adminKey, adminKey, 'admin'), 0)?.kind, 'tx-unknown-signer');
  });

  it('rejects genesis registration of a key other than the signer’s own', () => {
    const r = new KeyRegistry();
    assert.equal(r.check(register(nodeKey, doctorKey, 'node'), 0)?.kind, 'tx-unknown-signer');
  });

  it('rejects a genesis registration with a malformed payload', () => {
    const r = new KeyRegistry();
    const bad = tx(nodeKey, 'identity.register', { publicKey: 'xyz', role: 'node' });
    assert.equal(r.check(bad, 0)?.kind, 'tx-decode');
    const badRole = tx(nodeKey, 'identity.register', { publicKey: toHex(nodeKey.publicKey), role: 'king' });
    assert.equal(r.check(badRole, 0)?.kind, 'tx-decode');
  });

  it('rejects other transactions by unregistered keys in the genesis block', () => {
    const r = new KeyRegistry();
    assert.equal(r.check(data(nodeKey), 0)?.kind, 'tx-unknown-signer');
    assert.equal(r.check(revoke(nodeKey, doctorKey), 0)?.kind, 'tx-unknown-signer');
  });

  it('rejects chain.genesis after height 0, even from a node key', () => {
    assert.equal(bootstrapped().check(genesis(nodeKey), 2)?.kind, 'tx-not-permitted');
  });

  it('accepts chain.genesis and node self-registration at height 0', () => {
    const r = new KeyRegistry();
    assert.equal(r.check(genesis(nodeKey), 0), undefined);
    const self = register(nodeKey, nodeKey, 'node');
    assert.equal(r.check(self, 0), undefined);
    assert.equal(r.size, 0, 'check does not change the state');
    r.apply([self], 0);
    const e = r.active(nodeKey.keyId);
    assert.equal(e?.role, 'node');
    assert.equal(e.registeredAt, 0);
    assert.equal(e.publicKeyHex, toHex(nodeKey.publicKey));
    assert.equal(e.revokedAt, undefined);
  });
});

void describe('KeyRegistry permissions', () => {
  it('rejects registration by a doctor key', () => {
    const r = bootstrapped();
    const v = r.check(register(doctorKey, patientKey, 'patient'), 2);
    assert.equal(v?.kind, 'tx-not-permitted');
  });

  it('rejects revocation by a doctor key', () => {
    const r = bootstrapped();
    assert.equal(r.check(revoke(doctorKey, adminKey), 2)?.kind, 'tx-not-permitted');
  });

  it('rejects any transaction by an unknown signer', () => {
    const r = bootstrapped();
    for (const t of [
      data(patientKey),
      register(patientKey, patientKey, 'patient'),
      revoke(patientKey, doctorKey),
    ]) {
      const v = r.check(t, 2);
      assert.equal(v?.kind, 'tx-unknown-signer');
      assert.match(v.detail, /not registered/);
    }
  });

  it('rejects a registration payload that is malformed', () => {
    const r = bootstrapped();
    assert.equal(r.check(tx(nodeKey, 'identity.register', 'x'), 2)?.kind, 'tx-decode');
    assert.equal(
      r.check(tx(nodeKey, 'identity.register', { publicKey: toHex(patientKey.publicKey) }), 2)?.kind,
      'tx-decode',
    );
    assert.equal(
      r.check(
        tx(nodeKey, 'identity.register', {
          publicKey: toHex(patientKey.publicKey).toUpperCase(),
          role: 'patient',
        }),
        2,
      )?.kind,
      'tx-decode',
    );
  });

  it('rejects a duplicate registration, even with another role', () => {
    const r = bootstrapped();
    assert.equal(r.check(register(nodeKey, doctorKey, 'doctor'), 2)?.kind, 'tx-not-permitted');
    assert.equal(r.check(register(adminKey, doctorKey, 'admin'), 2)?.kind, 'tx-not-permitted');
    assert.equal(r.check(register(nodeKey, nodeKey, 'node'), 2)?.kind, 'tx-not-permitted');
  });

  it('ignores a duplicate registration when applying', () => {
    const r = bootstrapped();
    r.apply([register(nodeKey, doctorKey, 'admin')], 2);
    const e = r.active(doctorKey.keyId);
    assert.equal(e?.role, 'doctor');
    assert.equal(e.registeredAt, 1);
  });

  it('rejects revoking a key that is not active', () => {
    const r = bootstrapped();
    assert.equal(r.check(revoke(nodeKey, patientKey), 2)?.kind, 'tx-not-permitted');
    assert.equal(r.check(tx(nodeKey, 'identity.revoke', { keyId: 7 }), 2)?.kind, 'tx-decode');
    assert.equal(r.check(tx(nodeKey, 'identity.revoke', null), 2)?.kind, 'tx-decode');
  });

  it('accepts registration and revocation by node and admin keys', () => {
    const r = bootstrapped();
    assert.equal(r.check(register(nodeKey, patientKey, 'patient'), 2), undefined);
    assert.equal(r.check(register(adminKey, patientKey, 'patient'), 2), undefined);
    assert.equal(r.check(revoke(adminKey, doctorKey), 2), undefined);
    assert.equal(r.check(data(doctorKey), 2), undefined);
  });
});

void describe('KeyRegistry state changes', () => {
  it('reports a revoked signer as unknown, with the height it was revoked at', () => {
    const r = bootstrapped();
    r.apply([revoke(nodeKey, doctorKey)], 2);
    for (const t of [data(doctorKey), register(doctorKey, patientKey, 'patient')]) {
      const v = r.check(t, 3);
      assert.equal(v?.kind, 'tx-unknown-signer');
      assert.match(v.detail, /revoked/);
      assert.match(v.detail, /2/);
    }
    assert.equal(r.active(doctorKey.keyId), undefined);
    assert.equal(r.entry(doctorKey.keyId)?.revokedAt, 2);
  });

  it('rejects re-registering a revoked key', () => {
    const r = bootstrapped();
    r.apply([revoke(nodeKey, doctorKey)], 2);
    assert.equal(r.check(register(nodeKey, doctorKey, 'doctor'), 3)?.kind, 'tx-not-permitted');
    assert.equal(r.check(revoke(nodeKey, doctorKey), 3)?.kind, 'tx-not-permitted');
  });

  it('keeps the first revocation height', () => {
    const r = bootstrapped();
    r.apply([revoke(nodeKey, doctorKey)], 2);
    r.apply([revoke(adminKey, doctorKey)], 3);
    assert.equal(r.entry(doctorKey.keyId)?.revokedAt, 2);
  });

  it('changes nothing until apply(): a registration counts from the next block', () => {
    const r = bootstrapped();
    const reg = register(nodeKey, patientKey, 'patient');
    assert.equal(r.check(reg, 2), undefined);
    // Same block: the patient key is not known yet.
    assert.equal(r.check(data(patientKey), 2)?.kind, 'tx-unknown-signer');
    assert.equal(r.active(patientKey.keyId), undefined);
    r.apply([reg], 2);
    assert.equal(r.check(data(patientKey), 3), undefined);
    assert.equal(r.active(patientKey.keyId)?.registeredAt, 2);
  });

  it('changes nothing until apply(): a revocation counts from the next block', () => {
    const r = bootstrapped();
    const rev = revoke(nodeKey, doctorKey);
    assert.equal(r.check(rev, 2), undefined);
    assert.equal(r.check(data(doctorKey), 2), undefined, 'still active within the revoking block');
    r.apply([rev], 2);
    assert.equal(r.check(data(doctorKey), 3)?.kind, 'tx-unknown-signer');
  });

  it('ignores non-identity transactions and malformed payloads when applying', () => {
    const r = bootstrapped();
    const before = r.size;
    r.apply(
      [
        data(nodeKey),
        tx(nodeKey, 'identity.register', { publicKey: 'zz', role: 'node' }),
        tx(nodeKey, 'identity.revoke', 5),
      ],
      2,
    );
    assert.equal(r.size, before);
    assert.ok(r.active(doctorKey.keyId));
  });

  it('lists every entry, revoked ones included', () => {
    const r = bootstrapped();
    r.apply([revoke(nodeKey, doctorKey)], 2);
    const ids = [...r.entries()].map((e) => e.keyId).sort();
    assert.deepEqual(ids, [nodeKey.keyId, adminKey.keyId, doctorKey.keyId].sort());
    assert.equal(r.size, 3);
  });
});

void describe('record writes: the stated basis of the write’s access event', () => {
  const r = bootstrapped();
  const p = register(nodeKey, patientKey, 'patient');
  assert.equal(r.check(p, 2), undefined);
  r.apply([p], 2);
  const write = (by: Signer, basis?: string) =>
    tx(by, 'record.add', {
      record: `r-${String(fixedTxCount())}`,
      patient: '22'.repeat(32),
      org: ORG,
      blob: 'ab'.repeat(32),
      size: 10,
      ...(basis === undefined ? {} : { basis }),
    });

  it('takes the basis that matches the signer, or none', () => {
    assert.equal(r.check(write(doctorKey, 'author'), 3), undefined);
    assert.equal(r.check(write(patientKey, 'patient-self'), 3), undefined);
    assert.equal(r.check(write(nodeKey), 3), undefined);
    assert.equal(r.check(write(doctorKey), 3), undefined);
  });

  it('refuses a basis the signer cannot have, or an unknown one', () => {
    assert.equal(r.check(write(doctorKey, 'patient-self'), 3)?.kind, 'tx-not-permitted');
    assert.equal(r.check(write(patientKey, 'author'), 3)?.kind, 'tx-not-permitted');
    assert.equal(r.check(write(nodeKey, 'author'), 3)?.kind, 'tx-not-permitted');
    assert.equal(r.check(write(doctorKey, 'consent'), 3)?.kind, 'tx-decode');
  });
});
