/**
 * Leak test: after seeding synthetic patients and importing every Synthea sample bundle (which must
 * import with zero rejections), no plaintext PHI from those resources — names, birth dates,
 * identifiers, addresses, telecom, codes, note text — appears anywhere in the data directory: the
 * ledger's SQLite file and WAL, the vault and its WAL, or any other file.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seed } from '../src/cli/commands/medical-commands.ts';
import { importBundle } from '../src/medical/importer.ts';
import { tempDir } from '../src/chain/chain-fixtures.test-util.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { DEMO_ORGS, syntheticPatients } from '../src/sim/synthetic.ts';

const FIXTURES = new URL('fixtures/synthea-r4/', import.meta.url);

/** Distinctive strings of a resource tree that are PHI or would reveal a diagnosis. */
function phiStrings(v: unknown, out: Set<string>, key = ''): void {
  if (typeof v === 'string') {
    const picked = [
      'family',
      'given',
      'birthDate',
      'line',
      'city',
      'postalCode',
      'value',
      'code',
      'text',
      'display',
      'data',
    ];
    if (!picked.includes(key)) return;
    const s = key === 'data' ? Buffer.from(v, 'base64').toString('utf8').slice(0, 40) : v;
    // Short values (units, "M", status words) are not distinctive enough to search in binary files.
    if (s.length >= 6 && !/^(final|active|completed|amended)$/.test(s)) out.add(s);
    return;
  }
  if (Array.isArray(v)) for (const x of v) phiStrings(x, out, key);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) phiStrings(x, out, k);
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

void describe('no plaintext PHI at rest', () => {
  it('imports every Synthea sample with zero rejections and leaves no PHI in any file', async () => {
    const dir = join(tempDir(), 'node');
    const summary = await seed(dir, 5, 7);
    assert.equal(summary.patients, 5);
    const needles = new Set<string>();
    for (const p of syntheticPatients(5, { seed: 7, now: Date.now() }))
      phiStrings([p.patient, ...p.resources], needles);

    const { node } = await MedicalNode.open(dir);
    try {
      for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
        const bundle = JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as {
          entry?: { resource?: unknown }[];
        };
        const r = await importBundle(node, bundle);
        assert.deepEqual(r.rejected, [], `${f}: rejected entries`);
        assert.equal(r.imported, bundle.entry?.length ?? 0, f);
        for (const e of bundle.entry ?? []) phiStrings(e.resource, needles);
      }
      const chain = await node.ledger.verify({ full: true });
      assert.equal(chain.ok, true);
    } finally {
      await node.close();
    }
    // Organization names and slugs are public directory data (org.join), not PHI.
    for (const o of DEMO_ORGS) for (const n of [o.slug, o.name]) needles.delete(n);
    assert.ok(needles.size > 500, `collected ${String(needles.size)} PHI strings`);
    const files = filesOf(dir);
    assert.ok(
      files.some((f) => f.endsWith('ledger.sqlite')) && files.some((f) => f.endsWith('vault.sqlite')),
    );
    // The scanner does see text stored in these files: the public organization name is on chain.
    const all = files.map((f) => readFileSync(f).toString('latin1')).join('');
    assert.ok(all.includes('Riverside Medical Center'), 'the scan reads stored text');
    for (const f of files) {
      const text = readFileSync(f).toString('latin1');
      const found = [...needles].filter(
        (n) => text.includes(n) && (!HEXLIKE.test(n) || standsAlone(text, n)),
      );
      assert.deepEqual(found.slice(0, 10), [], `${f} contains PHI`);
    }
  });
});

/** Needles that can also occur by chance inside hex ids, hashes and UUIDs. */
const HEXLIKE = /^[0-9A-Fa-f-]+$/;

/**
 * Whether `needle` occurs in `text` not as part of a longer alphanumeric run. Short codes such as
 * RxNorm 310798 or LOINC 8462-4 turn up by chance inside the hex ids, hashes and UUIDs on chain
 * ("…f8462-4b1c…"), which made this test flaky; in plaintext (JSON) a code stands alone. Needles with
 * any other character are still matched anywhere.
 */
function standsAlone(text: string, needle: string): boolean {
  const edge = /[A-Za-z0-9]/;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    const before = i > 0 ? text[i - 1]! : ' ';
    const after = i + needle.length < text.length ? text[i + needle.length]! : ' ';
    if (!edge.test(before) && !edge.test(after)) return true;
  }
  return false;
}
