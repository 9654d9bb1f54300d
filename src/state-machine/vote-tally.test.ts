import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex } from '../core/bytes.ts';
import { generateSigner } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { signVote } from '../core/vote.ts';
import { VoteTally } from './vote-tally.ts';

const [a, b, c, d] = [generateSigner(), generateSigner(), generateSigner(), generateSigner()] as [
  Signer,
  Signer,
  Signer,
  Signer,
];
const hash = (h: number): string => h.toString(16).padStart(64, '0');
const vote = (s: Signer, height: number, valid = true) =>
  signVote(s, {
    height,
    previousBlock: hash(height - 1),
    votingForBlock: hash(height),
    isBlockValid: valid,
    invalidReason: valid ? '' : 'bad merkle root',
    timestamp: 1_700_000_000_000,
  });

/** Members a, b, c up to block 10; d joins in block 10 and votes from block 11 on. */
function tally(): VoteTally {
  const t = new VoteTally();
  t.membersAt = (h) => new Set([a, b, c, ...(h > 10 ? [d] : [])].map((s) => s.keyId));
  return t;
}

describe('VoteTally', () => {
  it('settles a block final at a strict majority of the members of its height, once', () => {
    const t = tally();
    t.add(vote(a, 5));
    const x = t.add(vote(d, 5))!; // not a member at height 5: not counted
    assert.equal(t.settle(x, hash(5)), undefined);
    const y = t.add(vote(b, 5))!;
    const out = t.settle(y, hash(5));
    assert.equal(out?.kind, 'final');
    assert.deepEqual(out.votes.map((v) => v.nodePubkey).sort(), [a, b].map((s) => toHex(s.publicKey)).sort());
    assert.equal(t.settle(y, hash(5)), undefined, 'settles once');
  });

  it('needs three of four once a fourth member joined', () => {
    const t = tally();
    t.add(vote(a, 11));
    const x = t.add(vote(b, 11))!;
    assert.equal(t.settle(x, hash(11)), undefined);
    assert.equal(t.settle(t.add(vote(d, 11))!, hash(11))?.kind, 'final');
  });

  it('is not final here until this node stores the very block', () => {
    const t = tally();
    t.add(vote(a, 6));
    const x = t.add(vote(b, 6))!;
    assert.equal(t.settle(x, undefined), undefined);
    assert.equal(t.settle(x, hash(99)), undefined);
    assert.equal(t.settle(x, hash(6))?.kind, 'final');
  });

  it('rejects at a quorum of invalid votes; ignores badly signed votes', () => {
    const t = tally();
    assert.equal(t.add({ ...vote(a, 7, false), height: 8 }), undefined);
    t.add(vote(a, 7, false));
    const out = t.settle(t.add(vote(c, 7, false))!, undefined);
    assert.equal(out?.kind, 'rejected');
    assert.equal(out.votes[0]?.invalidReason, 'bad merkle root');
  });

  it('knows how far every given member voted', () => {
    const t = tally();
    const members = new Set([a.keyId, b.keyId]);
    assert.equal(t.votedByAll(members), -1);
    t.add(vote(a, 3));
    t.add(vote(b, 2));
    t.add(vote(a, 4));
    assert.equal(t.votedByAll(members), 2);
  });
});
