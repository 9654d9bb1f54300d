import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ArgumentTypeError, ArgumentValueError, FhirBundleError } from '../core/errors.ts';
import type { OperationOutcomeLike } from '../core/errors.ts';
import { prepareBundle } from './bundle.ts';
import type { PreparedBundle } from './bundle.ts';
import { minimal, referencesIn } from './fixtures.test-util.ts';

type Json = Record<string, unknown>;

/** Ids n1, n2, … in call order, so tests can say which entry got which. */
function counter(): () => string {
  let n = 0;
  return () => `n${String(++n)}`;
}

const tx = (entry: unknown[], type = 'transaction'): Json => ({ resourceType: 'Bundle', type, entry });
const post = (fullUrl: string | undefined, resource: Json): Json => ({
  ...(fullUrl === undefined ? {} : { fullUrl }),
  resource,
  request: { method: 'POST', url: String(resource.resourceType) },
});
const put = (url: string, resource: Json): Json => ({ resource, request: { method: 'PUT', url } });

const PAT = 'urn:uuid:11111111-1111-4111-8111-111111111111';
const ENC = 'urn:uuid:22222222-2222-4222-8222-222222222222';
const OBS = 'urn:uuid:33333333-3333-4333-8333-333333333333';

function paths(o: OperationOutcomeLike): string[] {
  return o.issue.flatMap((i) => i.expression ?? []);
}

function byIndex(p: PreparedBundle, index: number): Json {
  const e = p.entries.find((x) => x.index === index);
  assert.ok(e, `entry ${String(index)} not accepted: ${JSON.stringify(p.rejected)}`);
  return e.resource as unknown as Json;
}

describe('prepareBundle refuses', () => {
  it('what is not a Bundle', () => {
    for (const v of [
      null,
      undefined,
      'Bundle',
      7,
      [],
      {},
      { resourceType: 'Patient' },
      minimal('Observation'),
    ]) {
      assert.throws(() => prepareBundle(v, { newId: counter() }), FhirBundleError, JSON.stringify(v));
    }
  });

  it('a searchset and every other type it cannot import', () => {
    for (const type of [
      'searchset',
      'history',
      'document',
      'message',
      'transaction-response',
      undefined,
      3,
    ]) {
      const b = { resourceType: 'Bundle', type, entry: [post(PAT, minimal('Patient'))] };
      assert.throws(
        () => prepareBundle(b, { newId: counter() }),
        (e: unknown) => e instanceof FhirBundleError && e.code === 'ML_ERR_FHIR_BUNDLE',
        String(type),
      );
    }
  });

  it('an entry member that is not an array', () => {
    assert.throws(
      () => prepareBundle({ resourceType: 'Bundle', type: 'batch', entry: {} }, { newId: counter() }),
      FhirBundleError,
    );
  });

  it('a newId that is missing, invalid or repeats', () => {
    const b = tx([post(PAT, minimal('Patient')), post(OBS, minimal('Observation'))]);
    assert.throws(() => prepareBundle(b, undefined as never), ArgumentTypeError);
    assert.throws(() => prepareBundle(b, { newId: () => 'not an id' }), ArgumentValueError);
    assert.throws(() => prepareBundle(b, { newId: () => 7 as unknown as string }), ArgumentValueError);
    assert.throws(() => prepareBundle(b, { newId: () => 'same' }), ArgumentValueError);
  });
});

describe('prepareBundle rejects entries', () => {
  it('an invalid Observation, with an outcome naming its path; the rest go through', () => {
    const obs = { resourceType: 'Observation', code: { text: 'x' }, subject: { reference: PAT } };
    const p = prepareBundle(tx([post(PAT, minimal('Patient')), post(OBS, obs)]), { newId: counter() });
    assert.equal(p.type, 'transaction');
    assert.deepEqual(
      p.entries.map((e) => e.resource.resourceType),
      ['Patient'],
    );
    assert.equal(p.rejected.length, 1);
    const r = p.rejected[0]!;
    assert.deepEqual([r.index, r.fullUrl, r.resourceType], [1, OBS, 'Observation']);
    assert.deepEqual(paths(r.outcome), ['Observation.status']);
  });

  it('that cannot be imported, each with the path of the problem', () => {
    const pat = minimal('Patient');
    const cases: [unknown, string, string][] = [
      [{ request: { method: 'POST', url: 'Patient' } }, 'Bundle.entry[0].resource', 'structure'],
      [
        { resource: { id: 'x' }, request: { method: 'POST', url: 'Patient' } },
        'Bundle.entry[0].resource',
        'structure',
      ],
      ['not an entry', 'Bundle.entry[0].resource', 'structure'],
      [{ resource: pat }, 'Bundle.entry[0].request', 'required'],
      [
        { resource: pat, request: { method: 'DELETE', url: 'Patient/p1' } },
        'Bundle.entry[0].request.method',
        'not-supported',
      ],
      [
        { resource: pat, request: { method: 'GET', url: 'Patient/p1' } },
        'Bundle.entry[0].request.method',
        'not-supported',
      ],
      [
        { resource: pat, request: { method: 'PATCH', url: 'Patient/p1' } },
        'Bundle.entry[0].request.method',
        'not-supported',
      ],
      [put('Patient?identifier=a|b', pat), 'Bundle.entry[0].request.url', 'not-supported'],
      [put('Observation/p1', pat), 'Bundle.entry[0].request.url', 'invalid'],
      [put('Patient/bad id', pat), 'Bundle.entry[0].request.url', 'invalid'],
      [put('Patient', pat), 'Bundle.entry[0].request.url', 'invalid'],
      [put('Patient/p1', { ...pat, id: 'p2' }), 'Bundle.entry[0].resource.id', 'invalid'],
      [post(undefined, { resourceType: 'Account', status: 'active' }), 'Account', 'not-supported'],
      [post(undefined, { resourceType: 'Nope' }), 'Resource.resourceType', 'value'],
    ];
    for (const [entry, path, code] of cases) {
      const p = prepareBundle(tx([entry]), { newId: counter() });
      assert.equal(p.entries.length, 0, JSON.stringify(entry));
      assert.equal(p.rejected.length, 1);
      assert.deepEqual(paths(p.rejected[0]!.outcome), [path], JSON.stringify(entry));
      assert.equal(p.rejected[0]!.outcome.issue[0]!.code, code);
    }
  });

  it('a second entry with the same fullUrl or the same PUT target', () => {
    const p = prepareBundle(
      tx([
        post(PAT, minimal('Patient')),
        post(PAT, minimal('Patient')),
        put('Patient/p1', minimal('Patient')),
        put('Patient/p1', minimal('Patient')),
      ]),
      { newId: counter() },
    );
    assert.deepEqual(
      p.entries.map((e) => e.index),
      [0, 2],
    );
    assert.deepEqual(
      p.rejected.map((r) => [r.index, r.outcome.issue[0]!.code, paths(r.outcome)[0]]),
      [
        [1, 'duplicate', 'Bundle.entry[1].fullUrl'],
        [3, 'duplicate', 'Bundle.entry[3].request.url'],
      ],
    );
  });

  it('a urn: reference that names no entry, at the path of the Reference', () => {
    const missing = 'urn:uuid:99999999-9999-4999-8999-999999999999';
    const obs = { ...minimal('Observation'), performer: [{ reference: PAT }, { reference: missing }] };
    const p = prepareBundle(tx([post(PAT, minimal('Patient')), post(OBS, obs)]), { newId: counter() });
    assert.equal(p.rejected.length, 1);
    assert.equal(p.rejected[0]!.outcome.issue[0]!.code, 'not-found');
    assert.deepEqual(paths(p.rejected[0]!.outcome), ['Observation.performer[1]']);
  });

  it('a resource nested too deep or holding __proto__', () => {
    let ext: Json = { url: 'http://e', valueString: 'x' };
    for (let i = 0; i < 1000; i++) ext = { url: 'http://e', extension: [ext] };
    const proto = JSON.parse('{"resourceType":"Patient","name":[{"__proto__":{"family":"x"}}]}') as Json;
    const p = prepareBundle(
      tx([post(undefined, { resourceType: 'Patient', extension: [ext] }), post(undefined, proto)]),
      {
        newId: counter(),
      },
    );
    assert.deepEqual(
      p.rejected.map((r) => r.outcome.issue[0]!.code),
      ['too-costly', 'structure'],
    );
    assert.deepEqual(paths(p.rejected[1]!.outcome), ['Patient.name[0]']);
  });
});

/** A small transaction with every kind of reference the rewrite must handle. */
function richBundle(): Json {
  const org = {
    resourceType: 'Organization',
    id: 'old-org',
    identifier: [{ system: 'https://h.example', value: 'H1' }],
  };
  const loc1 = { resourceType: 'Location', identifier: [{ system: 'https://l.example', value: 'L' }] };
  const loc2 = { resourceType: 'Location', identifier: [{ system: 'https://l.example', value: 'L' }] };
  const patient = {
    ...minimal('Patient'),
    id: 'old-pat',
    meta: { versionId: '7', lastUpdated: '2019-01-01T00:00:00Z', tag: [{ code: 't' }] },
  };
  const enc = {
    ...minimal('Encounter'),
    subject: { reference: PAT },
    serviceProvider: { reference: 'Organization?identifier=https://h.example|H1' },
    location: [
      { location: { reference: 'Location?identifier=https://l.example|L' } },
      { location: { reference: 'Location/elsewhere-on-the-server' } },
    ],
    participant: [{ individual: { reference: 'Practitioner?identifier=https://p.example|nobody' } }],
  };
  const obs = {
    ...minimal('Observation'),
    contained: [
      {
        resourceType: 'Patient',
        id: 'mom',
        link: [{ other: { reference: 'Patient/old-pat' }, type: 'seealso' }],
      },
    ],
    subject: { reference: 'Patient/old-pat/_history/7' },
    encounter: { reference: ENC },
    focus: [{ reference: '#mom' }],
    performer: [{ reference: 'Organization?identifier=H1' }, { reference: 'Organization/old-org' }],
    extension: [
      {
        url: 'http://example.org/source',
        valueReference: { reference: 'Organization?identifier=https%3A%2F%2Fh.example%7CH1' },
      },
    ],
  };
  return tx([
    post(OBS, obs),
    post(ENC, enc),
    post(PAT, patient),
    post('urn:uuid:44444444-4444-4444-8444-444444444444', org),
    post(undefined, loc1),
    post(undefined, loc2),
    put('Practitioner/dr-who', { ...minimal('Practitioner'), id: 'dr-who' }),
  ]);
}

describe('prepareBundle', () => {
  it('rewrites urn:uuid, old-id, versioned and extension references; keeps contained ones', () => {
    const p = prepareBundle(richBundle(), { newId: counter() });
    assert.deepEqual(p.rejected, []);
    // Ids in entry order: Observation n1, Encounter n2, Patient n3, Organization n4, Locations n5, n6.
    const obs = byIndex(p, 0);
    assert.equal(obs.id, 'n1');
    assert.deepEqual(obs.subject, { reference: 'Patient/n3' });
    assert.deepEqual(obs.encounter, { reference: 'Encounter/n2' });
    assert.deepEqual(obs.focus, [{ reference: '#mom' }]);
    assert.deepEqual(obs.performer, [{ reference: 'Organization/n4' }, { reference: 'Organization/n4' }]);
    assert.deepEqual((obs.extension as Json[])[0]!.valueReference, { reference: 'Organization/n4' });
    const mom = (obs.contained as Json[])[0]!;
    assert.deepEqual(mom.link, [{ other: { reference: 'Patient/n3' }, type: 'seealso' }]);
    assert.equal(mom.id, 'mom');
    assert.equal(p.idMap.get(PAT), 'Patient/n3');
    assert.equal(p.idMap.get('Patient/old-pat'), 'Patient/n3');
    assert.equal(p.idMap.get('Organization/old-org'), 'Organization/n4');
    assert.equal(p.idMap.get(OBS), 'Observation/n1');
  });

  it('resolves conditional references by identifier, leaves and reports the rest', () => {
    const p = prepareBundle(richBundle(), { newId: counter() });
    const enc = byIndex(p, 1);
    assert.deepEqual(enc.serviceProvider, { reference: 'Organization/n4' });
    // Two Locations share the identifier: ambiguous, so left as written.
    const loc = enc.location as { location: { reference: string } }[];
    assert.equal(loc[0]!.location.reference, 'Location?identifier=https://l.example|L');
    assert.equal(loc[1]!.location.reference, 'Location/elsewhere-on-the-server');
    assert.deepEqual(p.unresolved, [
      {
        index: 1,
        path: 'Encounter.location[0].location',
        reference: 'Location?identifier=https://l.example|L',
      },
      {
        index: 1,
        path: 'Encounter.participant[0].individual',
        reference: 'Practitioner?identifier=https://p.example|nobody',
      },
    ]);
  });

  it('keeps the id of a PUT and drops the client version and timestamp', () => {
    const p = prepareBundle(richBundle(), { newId: counter() });
    const dr = p.entries.find((e) => e.index === 6)!;
    assert.equal(dr.method, 'PUT');
    assert.equal(dr.resource.id, 'dr-who');
    assert.equal(p.entries.find((e) => e.index === 0)!.method, 'POST');
    assert.deepEqual(byIndex(p, 2).meta, { tag: [{ code: 't' }] });
  });

  it('does not modify its input', () => {
    const b = richBundle();
    const copy = structuredClone(b);
    prepareBundle(b, { newId: counter() });
    assert.deepEqual(b, copy);
  });

  it('puts each entry after the entries it references, whatever the input order', () => {
    const entries = richBundle().entry as Json[];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
        (shuffled) => {
          const p = prepareBundle(tx(shuffled), { newId: counter() });
          assert.equal(p.entries.length, entries.length);
          const seen = new Set<string>();
          for (const e of p.entries) {
            for (const { ref } of referencesIn(e.resource)) {
              const inBundle = p.entries.some(
                (x) => `${x.resource.resourceType}/${String(x.resource.id)}` === ref,
              );
              if (inBundle) assert.ok(seen.has(ref), `${ref} after its referrer`);
            }
            seen.add(`${e.resource.resourceType}/${String(e.resource.id)}`);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('imports a batch and a collection, creating every collection entry', () => {
    const batch = prepareBundle(tx([post(PAT, minimal('Patient'))], 'batch'), { newId: counter() });
    assert.equal(batch.type, 'batch');
    const coll = prepareBundle(
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { fullUrl: 'https://old.example/fhir/Patient/p7', resource: { ...minimal('Patient'), id: 'p7' } },
          { resource: { ...minimal('Observation'), subject: { reference: 'Patient/p7' } } },
          {
            resource: {
              ...minimal('Observation'),
              subject: { reference: 'https://old.example/fhir/Patient/p7' },
            },
          },
        ],
      },
      { newId: counter() },
    );
    assert.equal(coll.type, 'collection');
    assert.deepEqual(
      coll.entries.map((e) => [e.method, e.resource.id]),
      [
        ['POST', 'n1'],
        ['POST', 'n2'],
        ['POST', 'n3'],
      ],
    );
    assert.deepEqual(byIndex(coll, 1).subject, { reference: 'Patient/n1' });
    assert.deepEqual(byIndex(coll, 2).subject, { reference: 'Patient/n1' });
  });

  it('accepts an empty Bundle', () => {
    const p = prepareBundle({ resourceType: 'Bundle', type: 'transaction' }, { newId: counter() });
    assert.deepEqual([p.entries, p.rejected, p.unresolved, p.idMap.size], [[], [], [], 0]);
  });
});
