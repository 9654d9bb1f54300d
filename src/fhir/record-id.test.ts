import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FHIR_ID } from './validate.ts';
import { newRecordId } from '../core/record-id.ts';

void describe('newRecordId', () => {
  it('gives UUIDv7 ids (RFC 9562 §5.7) that are valid FHIR ids, later ones sorting later', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newRecordId());
    const after = Date.now();
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(id, FHIR_ID);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      assert.ok(ms >= before && ms <= after, 'the id carries the time it was made');
    }
    assert.deepEqual([...ids].sort(), ids);
  });
});
