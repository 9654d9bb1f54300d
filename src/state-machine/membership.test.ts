import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../core/bytes.ts';
import { signerFromSeed } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import type { Tx } from '../core/tx.ts';
import { quorumOf } from '../core/vote.ts';
import { KeyRegistry } from './key-registry.ts';
import { fixedTx } from './tx-fixtures.test-util.ts';

const key = (i: number): Signer => signerFromSeed(fromHex(i.toString(16).padStart(64, '0'), 32, 'seed'));
const tx = fixedTx;

/** A consortium of `n` genesis member nodes (keys 1..n) at height 0. */
function consortium(n: number): { r: KeyRegistry; members: Signer[] } {
  const r = new KeyRegistry();
  const members = Array.from({ length: n }, (_, i) => key(i + 1));
  const block0 = [
    tx(members[0]!, 'chain.genesis', { chainId: 'c', minDifficulty: 0 }),
    ...members.map((m) => tx(m, 'identity.register', { publicKey: toHex(m.publicKey), role: 'node' })),
  ];
  for (const t of block0) assert.equal(r.check(t, 0), undefined);
  r.apply(block0, 0);
  return { r, members };
}

const propose = (by: Signer, who: Signer, org = 'new-hospital') =>
  tx(by, 'member.propose', {
    action: 'add',
    publicKey: toHex(who.publicKey),
    org,
    name: 'New Hospital',
    url: 'https://node.new-hospital.example:8080',
  });
const approve = (by: Signer, proposal: Tx) => tx(by, 'member.approve', { proposal: proposal.id });

/** Checks then applies `txs` as block `height`; returns the violations. */
function block(r: KeyRegistry, txs: Tx[], height: number): (string | undefined)[] {
  const why = txs.map((t) => r.check(t, height)?.detail);
  r.apply(
    txs.filter((_, i) => why[i] === undefined),
    height,
  );
  return why;
}

void describe('membership by quorum', () => {
  it('adds a node only once a strict majority of members signed, from the next block on', () => {
    const { r, members } = consortium(3);
    const newcomer = key(9);
    const p = propose(members[0]!, newcomer);
    assert.deepEqual(block(r, [p], 1), [undefined]);
    assert.equal(r.active(newcomer.keyId), undefined, 'one member of three is not a quorum');
    assert.equal(r.check(approve(members[0]!, p), 2)?.detail, 'this member already approved');
    assert.deepEqual(block(r, [approve(members[1]!, p)], 2), [undefined]);
    const e = r.active(newcomer.keyId);
    assert.equal(e?.role, 'node');
    assert.equal(e.org, 'new-hospital');
    assert.equal(r.nodeKeys().size, 4);
    assert.equal(r.nodeKeysAt(2).size, 3, 'block 2 is voted on by the members before it');
    assert.equal(r.nodeKeysAt(3).size, 4);
    assert.match(r.check(approve(members[2]!, p), 3)?.detail ?? '', /already decided at height 2/);
    // The new member creates its own organization; no other node may take that name.
    const takeover = tx(members[1]!, 'org.join', {
      org: 'new-hospital',
      name: 'X',
      encryptionKey: '33'.repeat(32),
    });
    assert.match(r.check(takeover, 3)?.detail ?? '', /reserved/);
    const own = tx(newcomer, 'org.join', {
      org: 'new-hospital',
      name: 'New',
      encryptionKey: '33'.repeat(32),
    });
    const other = tx(newcomer, 'org.join', { org: 'elsewhere', name: 'E', encryptionKey: '33'.repeat(32) });
    assert.match(r.check(other, 3)?.detail ?? '', /may not create elsewhere/);
    assert.deepEqual(block(r, [own], 3), [undefined]);
  });

  it('removes a node by quorum; node keys never join or leave by identity transactions', () => {
    const { r, members } = consortium(3);
    const stranger = key(8);
    const direct = tx(members[0]!, 'identity.register', {
      publicKey: toHex(stranger.publicKey),
      role: 'node',
    });
    assert.match(r.check(direct, 1)?.detail ?? '', /member.propose/);
    assert.match(
      r.check(tx(members[0]!, 'identity.revoke', { keyId: members[2]!.keyId }), 1)?.detail ?? '',
      /member.propose/,
    );
    const p = tx(members[0]!, 'member.propose', { action: 'remove', keyId: members[2]!.keyId });
    assert.deepEqual(block(r, [p], 1), [undefined]);
    assert.equal(r.nodeKeys().size, 3);
    assert.deepEqual(block(r, [approve(members[1]!, p)], 2), [undefined]);
    assert.deepEqual([...r.nodeKeys()].sort(), [members[0]!.keyId, members[1]!.keyId].sort());
    assert.equal(r.check(tx(members[2]!, 'data.put', { n: 1 }), 3)?.kind, 'tx-unknown-signer');
    assert.equal(r.nodeKeysAt(2).size, 3);
  });

  it('a single member decides alone; a non-member, a non-node or a malformed proposal is refused', () => {
    const { r, members } = consortium(1);
    const newcomer = key(7);
    assert.deepEqual(block(r, [propose(members[0]!, newcomer)], 1), [undefined]);
    assert.ok(r.active(newcomer.keyId));
    const outsider = key(6);
    assert.equal(r.check(propose(outsider, key(5)), 2)?.kind, 'tx-unknown-signer');
    const bad = tx(members[0]!, 'member.propose', {
      action: 'add',
      publicKey: 'zz',
      org: 'x',
      name: 'X',
      url: 'u',
    });
    assert.equal(r.check(bad, 2)?.kind, 'tx-decode');
    const noUrl = tx(members[0]!, 'member.propose', {
      action: 'add',
      publicKey: toHex(key(4).publicKey),
      org: 'x',
      name: 'X',
      url: 'ftp://x',
    });
    assert.match(r.check(noUrl, 2)?.detail ?? '', /url must be/);
    assert.equal(
      r.check(tx(members[0]!, 'member.approve', { proposal: '00'.repeat(32) }), 2)?.detail,
      'unknown membership proposal',
    );
    const last = tx(members[0]!, 'member.propose', { action: 'remove', keyId: members[0]!.keyId });
    assert.equal(r.check(last, 2), undefined, 'two members: removing one leaves one');
  });

  it('property: a change takes effect exactly when the approvals of members reach a strict majority', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 7 }), (n, approvers) => {
        const { r, members } = consortium(n);
        const newcomer = key(100);
        const p = propose(members[0]!, newcomer);
        block(r, [p], 1);
        const k = Math.min(approvers, n - 1);
        for (let i = 1; i <= k; i++) block(r, [approve(members[i]!, p)], 1 + i);
        return (r.active(newcomer.keyId) !== undefined) === 1 + k >= quorumOf(n);
      }),
      { numRuns: 60 },
    );
  });
});
