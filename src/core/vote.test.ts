import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSigner } from './keys.ts';
import { checkCertificate, checkVote, quorumOf, signVote } from './vote.ts';
import type { Vote } from './vote.ts';

const nodes = [generateSigner(), generateSigner(), generateSigner()];
const members = new Set(nodes.map((n) => n.keyId));
const block = 'b'.repeat(64);
const fields = {
  height: 7,
  previousBlock: 'a'.repeat(64),
  votingForBlock: block,
  isBlockValid: true,
  invalidReason: '',
  timestamp: 1_700_000_000_000,
};
const votes = nodes.map((n) => signVote(n, fields));

describe('votes', () => {
  it('rejects a vote whose fields were changed after signing', () => {
    for (const change of [
      { isBlockValid: false },
      { votingForBlock: 'c'.repeat(64) },
      { previousBlock: 'c'.repeat(64) },
      { height: 8 },
      { timestamp: 1 },
      { invalidReason: 'x' },
      { nodePubkey: votes[1]!.nodePubkey },
    ]) {
      assert.equal(
        checkVote({ ...votes[0], ...change }),
        'vote signature does not verify',
        JSON.stringify(change),
      );
    }
  });

  it('rejects malformed votes with the failing field', () => {
    assert.match(checkVote({ ...votes[0], height: -1 }) ?? '', /height/);
    assert.match(checkVote({ ...votes[0], votingForBlock: 'zz' }) ?? '', /votingForBlock/);
    assert.match(checkVote({ ...votes[0], signature: '00' }) ?? '', /malformed/);
    assert.match(checkVote(null) ?? '', /not an object/);
  });

  it('accepts a correctly signed vote', () => {
    assert.equal(checkVote(votes[0]), undefined);
  });
});

describe('finality certificates', () => {
  it('needs a quorum of distinct member nodes', () => {
    assert.equal(quorumOf(1), 1);
    assert.equal(quorumOf(3), 2);
    assert.equal(quorumOf(4), 3);
    const one = { height: 7, block, votes: [votes[0]!] };
    assert.equal(checkCertificate(one, 7, block, members), '1 distinct valid votes, quorum is 2');
    const twice = { height: 7, block, votes: [votes[0]!, votes[0]!] };
    assert.equal(checkCertificate(twice, 7, block, members), '1 distinct valid votes, quorum is 2');
  });

  it('rejects votes of outsiders, invalid votes and votes for another block', () => {
    const outsider = signVote(generateSigner(), fields);
    assert.match(
      checkCertificate({ height: 7, block, votes: [votes[0]!, outsider] }, 7, block, members) ?? '',
      /not a member node/,
    );
    const invalid: Vote = signVote(nodes[1]!, { ...fields, isBlockValid: false, invalidReason: 'pow' });
    assert.match(
      checkCertificate({ height: 7, block, votes: [votes[0]!, invalid] }, 7, block, members) ?? '',
      /not a valid vote/,
    );
    const other = signVote(nodes[1]!, { ...fields, votingForBlock: 'c'.repeat(64) });
    assert.match(
      checkCertificate({ height: 7, block, votes: [votes[0]!, other] }, 7, block, members) ?? '',
      /another block/,
    );
    assert.match(
      checkCertificate({ height: 7, block, votes }, 7, 'c'.repeat(64), members) ?? '',
      /another block/,
    );
  });

  it('accepts a quorum of valid member votes', () => {
    assert.equal(
      checkCertificate({ height: 7, block, votes: votes.slice(0, 2) }, 7, block, members),
      undefined,
    );
    assert.equal(checkCertificate({ height: 7, block, votes }, 7, block, members), undefined);
  });
});
