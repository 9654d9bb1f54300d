import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lru } from './lru.ts';

void describe('Lru', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const c = new Lru<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    assert.equal(c.get('a'), 1); // a is now the most recent
    c.set('c', 3);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.get('a'), 1);
    assert.equal(c.get('c'), 3);
    assert.equal(c.size, 2);
  });

  it('replaces a value without growing, and forgets deleted keys', () => {
    const c = new Lru<string, number>(2);
    c.set('a', 1);
    c.set('a', 2);
    assert.equal(c.size, 1);
    assert.equal(c.get('a'), 2);
    c.delete('a');
    assert.equal(c.get('a'), undefined);
    assert.throws(() => new Lru(0), RangeError);
  });
});
