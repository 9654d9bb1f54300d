import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexIdentifiers, resolveConditional, typedTail } from './bundle-refs.ts';

describe('resolveConditional', () => {
  const index = indexIdentifiers([
    {
      type: 'Organization',
      newRef: 'Organization/o1',
      resource: { identifier: [{ system: 'https://s', value: 'A' }] },
    },
    { type: 'Organization', newRef: 'Organization/o2', resource: { identifier: [{ value: 'B' }] } },
    {
      type: 'Practitioner',
      newRef: 'Practitioner/p1',
      resource: { identifier: [{ system: 'https://s', value: 'A' }] },
    },
    {
      type: 'Practitioner',
      newRef: 'Practitioner/p2',
      resource: { identifier: [{ system: '*', value: 'C' }] },
    },
  ]);

  it('leaves what is not one identifier search, or matches nothing or too much', () => {
    for (const ref of [
      'Organization?name=A',
      'Organization?identifier=https://s|A&active=true',
      'Organization?identifier=https://other|A',
      'Organization?identifier=|A', // A has a system
      'Organization?identifier=%E0%A4%A', // malformed escape
      'Location?identifier=A',
      'Practitioner?identifier=C|x',
      'organization?identifier=A',
    ]) {
      assert.equal(resolveConditional(ref, index), undefined, ref);
    }
    // The type is part of the key: 'A' under any system is one Organization and one Practitioner.
    assert.equal(resolveConditional('Organization?identifier=A', index), 'Organization/o1');
  });

  it('matches system|value, |value (no system), value (any system) and escapes', () => {
    assert.equal(resolveConditional('Organization?identifier=https://s|A', index), 'Organization/o1');
    assert.equal(resolveConditional('Organization?identifier=https%3A%2F%2Fs%7CA', index), 'Organization/o1');
    assert.equal(resolveConditional('Organization?identifier=|B', index), 'Organization/o2');
    assert.equal(resolveConditional('Organization?identifier=B', index), 'Organization/o2');
    assert.equal(resolveConditional('Practitioner?identifier=*|C', index), 'Practitioner/p2');
    assert.equal(resolveConditional('Practitioner?identifier=C', index), 'Practitioner/p2');
  });
});

describe('typedTail', () => {
  it('finds Type/id at the end of relative, versioned and absolute references only', () => {
    assert.equal(typedTail('Patient/p1'), 'Patient/p1');
    assert.equal(typedTail('Patient/p1/_history/2'), 'Patient/p1');
    assert.equal(typedTail('https://h.example/fhir/Patient/p1'), 'Patient/p1');
    for (const ref of [
      'urn:uuid:1234',
      '#c',
      'Patient',
      'patient/p1',
      'Patient/bad id',
      'Patient?identifier=x',
    ]) {
      assert.equal(typedTail(ref), undefined, ref);
    }
  });
});
