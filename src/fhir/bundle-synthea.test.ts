import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareBundle } from './bundle.ts';
import { clinicalDate, codesOf } from './clinical-date.ts';
import { ensureR4Definitions } from './definitions.ts';
import { loadSynthea, referencesIn } from './fixtures.test-util.ts';
import { inPatientCompartment, patientReference } from './patient-ref.ts';

describe('prepareBundle on the Synthea samples', () => {
  const bundles = loadSynthea();

  it('imports every entry, rewriting every reference to an entry of the Bundle', (t) => {
    assert.equal(bundles.length, 5);
    ensureR4Definitions(); // not part of the timing below
    let resources = 0;
    let ms = 0;
    let conditional = 0;
    let unresolved = 0;
    let n = 0;
    for (const { file, bundle } of bundles) {
      const input = bundle.entry as { fullUrl: string; resource: { resourceType: string; id: string } }[];
      const issued: string[] = [];
      const start = performance.now();
      const p = prepareBundle(bundle, {
        newId: () => {
          issued.push(`ml-${String(++n)}`);
          return issued.at(-1)!;
        },
      });
      ms += performance.now() - start;
      resources += input.length;

      assert.equal(p.type, 'transaction');
      assert.deepEqual(p.rejected, [], file);
      assert.equal(p.entries.length, input.length, file);
      unresolved += p.unresolved.length;

      // Fresh ids: each one newId gave, once, never an id of the input.
      const ids = p.entries.map((e) => e.resource.id!);
      assert.deepEqual([...ids].sort(), [...issued].sort(), file);
      const oldIds = new Set(input.map((e) => e.resource.id));
      for (const id of ids) assert.ok(!oldIds.has(id));

      const position = new Map(p.entries.map((e, i) => [`${e.resource.resourceType}/${e.resource.id!}`, i]));
      const patients = p.entries.filter((e) => e.resource.resourceType === 'Patient');
      for (const [i, e] of p.entries.entries()) {
        const where = `${file} entry ${String(e.index)} ${e.resource.resourceType}`;
        const contained = new Set(
          ((e.resource as { contained?: { id: string }[] }).contained ?? []).map((c) => `#${c.id}`),
        );
        for (const { path, ref } of referencesIn(e.resource)) {
          assert.ok(!ref.startsWith('urn:uuid:'), `${where}${path}: ${ref}`);
          if (ref.startsWith('#')) {
            assert.ok(contained.has(ref), `${where}${path}: ${ref} names no contained resource`);
          } else if (ref.includes('?')) {
            conditional++;
          } else {
            const at = position.get(ref);
            assert.ok(at !== undefined, `${where}${path}: ${ref} is not an entry`);
            assert.ok(at <= i, `${where}${path}: ${ref} comes after its referrer`);
          }
        }
        // Each patient bundle has one Patient, and every compartment record belongs to it.
        if (patients.length === 1 && inPatientCompartment(e.resource.resourceType)) {
          assert.equal(patientReference(e.resource), `Patient/${patients[0]!.resource.id!}`, where);
        }
        if (!['Organization', 'Practitioner', 'Goal'].includes(e.resource.resourceType)) {
          assert.ok(clinicalDate(e.resource), `${where}: no clinical date`);
        }
        if (!['Patient', 'Practitioner'].includes(e.resource.resourceType)) {
          assert.ok(codesOf(e.resource).length > 0, `${where}: no code`);
        }
      }
      assert.equal(p.idMap.get(input[0]!.fullUrl), `${input[0]!.resource.resourceType}/${issued[0]!}`);
    }
    t.diagnostic(
      `${String(resources)} resources in ${String(bundles.length)} bundles, ` +
        `${(((ms / resources) * 1000) | 0).toString()} µs per resource (rewrite + validation); ` +
        `conditional references: ${String(conditional)} left, ${String(unresolved)} reported unresolved`,
    );
    assert.equal(conditional, unresolved);
  });

  it('resolves conditional references as newer Synthea writes them, and leaves those it cannot', (t) => {
    const sample = bundles.find((b) => !b.file.includes('Information'));
    assert.ok(sample, 'a Synthea patient Bundle in test/fixtures/synthea-r4');
    // Newer Synthea exports point to Organization and Practitioner by identifier, not by fullUrl.
    interface Entry {
      fullUrl: string;
      resource: { resourceType: string; identifier?: { system: string; value: string }[] };
    }
    const entries = structuredClone(sample.bundle.entry) as Entry[];
    const conditional = new Map<string, string>();
    for (const e of entries) {
      const type = e.resource.resourceType;
      const id = e.resource.identifier?.[0]; // synthea for Organization, us-npi for Practitioner
      if ((type === 'Organization' || type === 'Practitioner') && id !== undefined) {
        conditional.set(e.fullUrl, `${type}?identifier=${id.system}|${id.value}`);
      }
    }
    assert.ok(conditional.size >= 2);
    const text = JSON.stringify(entries).replace(/"reference":"(urn:uuid:[^"]+)"/g, (m, urn: string) => {
      const c = conditional.get(urn);
      return c === undefined ? m : `"reference":${JSON.stringify(c)}`;
    });
    const withDirectory = JSON.parse(text) as Entry[];
    const written = (text.match(/\?identifier=/g) ?? []).length;
    assert.ok(written > 10, `only ${String(written)} conditional references`);

    let n = 0;
    const newId = (): string => `c${String(++n)}`;
    const resolved = prepareBundle({ ...sample.bundle, entry: withDirectory }, { newId });
    assert.deepEqual([resolved.rejected.length, resolved.unresolved.length], [0, 0]);
    for (const e of resolved.entries) {
      for (const { ref } of referencesIn(e.resource)) assert.ok(!ref.includes('?'), ref);
    }

    // Without the directory entries the references stay as written, reported, and nothing is rejected.
    const alone = withDirectory.filter((e) => !conditional.has(e.fullUrl));
    const left = prepareBundle({ ...sample.bundle, entry: alone }, { newId });
    assert.equal(left.rejected.length, 0);
    assert.equal(left.entries.length, alone.length);
    assert.equal(left.unresolved.length, written);
    for (const u of left.unresolved) assert.ok([...conditional.values()].includes(u.reference), u.reference);
    t.diagnostic(
      `${String(written)} conditional references: all resolved with the directory entries, all left without`,
    );
  });
});
