import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ZERO_HASH } from '../core/block.ts';
import { ordererConformance, fakeBlock } from './conformance.ts';
import { SoloOrderer } from './solo-orderer.ts';

ordererConformance('solo', { create: (head) => Promise.resolve(new SoloOrderer(head ? { head } : {})) });

it('does not order a block its local delivery rejects', async () => {
  const o = new SoloOrderer({
    deliver: () => {
      throw new Error('invalid block');
    },
  });
  await assert.rejects(o.append(fakeBlock(0, ZERO_HASH)), /invalid block/);
  assert.equal(await o.head(), undefined);
  await o.close();
});
