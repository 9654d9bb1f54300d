/**
 * `GET /api/v1/research/cohorts`: small-cell suppression (known answers and a property: no published
 * count is 1–4 and no breakdown leaves a single suppressed cell to subtract), and over HTTP, counts
 * equal to ones computed independently from the `/research/omop` export, only research-consented
 * patients counted, and researchers only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AGE_BANDS, SEXES, cell, cohortStats, suppressGroup } from '../src/api/routes/cohort-routes.ts';
import type { Cell, CohortStats } from '../src/api/contract/research.ts';
import { OMOP_COLUMNS } from '../src/fhir/omop-tables.ts';
import type { OmopTables, PersonRow } from '../src/fhir/omop-tables.ts';
import { conditionNames } from '../src/cli/demo-data.ts';
import { DEMO, enrollPatients, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

const counts = (cells: readonly Cell[]): (number | null)[] => cells.map((c) => c.count);

describe('small-cell suppression', () => {
  it('suppresses 1 to 4, publishes 0 and 5 or more', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => cell('x', n)),
      [
        { key: 'x', count: 0, suppressed: false },
        ...[1, 2, 3, 4].map(() => ({ key: 'x', count: null, suppressed: true, suppression: 'small' })),
        { key: 'x', count: 5, suppressed: false },
        { key: 'x', count: 6, suppressed: false },
      ],
    );
  });

  it('suppresses a second cell when one alone could be subtracted from the total', () => {
    // 13 − 10 − 0 would reveal the 3: the smallest other non-zero cell (10) goes too.
    assert.deepEqual(counts(suppressGroup(['a', 'b', 'c'], [10, 3, 0], 13)), [null, null, 0]);
    assert.deepEqual(counts(suppressGroup(['a', 'b', 'c', 'd'], [20, 3, 7, 0], 30)), [20, null, null, 0]);
    // Two small cells already hide each other.
    assert.deepEqual(counts(suppressGroup(['a', 'b', 'c'], [10, 3, 2], 15)), [10, null, null]);
    assert.deepEqual(counts(suppressGroup(['a', 'b'], [12, 0], 12)), [12, 0]);
  });

  it('suppresses every cell alike, zeros included, when the total is small', () => {
    const cells = suppressGroup(['a', 'b', 'c'], [3, 0, 0], 3);
    assert.deepEqual(counts(cells), [null, null, null]);
    // Marking the 3 "small" and the zeros otherwise would say that all three are in a.
    assert.ok(cells.every((c) => c.suppressed && c.suppression === 'complementary'));
  });

  it('says which suppressed cell is small and which complementary', () => {
    assert.deepEqual(
      suppressGroup(['a', 'b', 'c'], [10, 3, 0], 13).map((c) => c.suppression),
      ['complementary', 'small', undefined],
    );
  });

  it('never publishes 1–4 and never leaves exactly one suppressed cell under a published total', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 8 }), (ns) => {
        const total = ns.reduce((a, b) => a + b, 0);
        const cells = suppressGroup(
          ns.map((_, i) => String(i)),
          ns,
          total,
        );
        const published = total === 0 || total >= 5;
        for (const [i, c] of cells.entries()) {
          const n = ns[i]!;
          assert.equal(c.suppressed, c.count === null);
          assert.equal(c.suppressed, c.suppression !== undefined);
          if (!c.suppressed) assert.equal(c.count, n);
          if (c.count !== null) assert.ok(c.count === 0 || c.count >= 5);
          // "small" is exactly 1–4; "complementary" under a published total hides a count ≥ 5.
          if (c.suppression === 'small') assert.ok(n >= 1 && n <= 4);
          if (c.suppression === 'complementary' && published) assert.ok(n >= 5);
        }
        if (published) assert.notEqual(cells.filter((c) => c.suppressed).length, 1);
      }),
    );
  });
});

function person(id: number, gender: 'male' | 'female' | null, year: number | null): PersonRow {
  return {
    person_id: id,
    gender_concept_id: gender === 'male' ? 8507 : gender === 'female' ? 8532 : 0,
    year_of_birth: year,
    month_of_birth: year === null ? null : 6,
    day_of_birth: year === null ? null : 15,
    birth_datetime: null,
    race_concept_id: 0,
    ethnicity_concept_id: 0,
    location_id: null,
    provider_id: null,
    care_site_id: null,
    person_source_value: `p${String(id)}`,
    gender_source_value: gender,
    gender_source_concept_id: 0,
    race_source_value: null,
    race_source_concept_id: 0,
    ethnicity_source_value: null,
    ethnicity_source_concept_id: 0,
  };
}

function conditionRows(pairs: readonly [number, string][]): OmopTables['condition_occurrence'] {
  return pairs.map(([personId, code], i) => ({
    condition_occurrence_id: i + 1,
    person_id: personId,
    condition_concept_id: 0,
    condition_start_date: '2020-01-01',
    condition_start_datetime: null,
    condition_end_date: null,
    condition_end_datetime: null,
    condition_type_concept_id: 32817,
    condition_status_concept_id: 0,
    stop_reason: null,
    provider_id: null,
    visit_occurrence_id: null,
    visit_detail_id: null,
    condition_source_value: code,
    condition_source_concept_id: 0,
    condition_status_source_value: null,
  }));
}

describe('cohortStats', () => {
  const asOf = Date.UTC(2026, 0, 1);
  // 7 women born 1990 (35 at asOf → 35-49), 6 men born 2015 (10 → 0-17), 1 without a year (unknown).
  const persons = [
    ...Array.from({ length: 7 }, (_, i) => person(i + 1, 'female', 1990)),
    ...Array.from({ length: 6 }, (_, i) => person(i + 8, 'male', 2015)),
    person(14, null, null),
  ];
  const tables: OmopTables = {
    person: persons,
    visit_occurrence: [],
    // Diabetes: persons 1–6 (two rows for person 1: counted once); asthma: 8, 9; an unknown code: 14.
    condition_occurrence: conditionRows([
      ...[1, 1, 2, 3, 4, 5, 6].map((p): [number, string] => [p, 'SNOMED|44054006']),
      [8, 'SNOMED|195967001'],
      [9, 'SNOMED|195967001'],
      [14, 'SNOMED|999999'],
    ]),
    drug_exposure: [],
    measurement: [],
    note: [],
  };
  const s = cohortStats(tables, asOf, conditionNames());

  it('counts persons by sex and age band, suppressing the single unknown', () => {
    assert.deepEqual(s.persons, { key: 'all', count: 14, suppressed: false });
    // The single "other" is suppressed, and so the smallest other non-zero cell (6 men) with it.
    assert.deepEqual(counts(s.bySex), [7, null, null]);
    // 0-17: 6, 35-49: 7, unknown: 1 (suppressed) → the smallest other non-zero (6) is suppressed too.
    assert.deepEqual(counts(s.byAgeBand), [null, 0, 7, 0, 0, 0, null]);
    assert.deepEqual(
      s.byAgeBand.map((c) => c.key),
      [...AGE_BANDS],
    );
  });

  it('ranks conditions by persons, names known SNOMED codes and suppresses small ones', () => {
    assert.deepEqual(
      s.conditions.map((c) => [c.code, c.name, c.persons.count]),
      [
        ['SNOMED|44054006', 'Diabetes mellitus type 2', 6],
        ['SNOMED|195967001', 'Asthma', null],
        ['SNOMED|999999', null, null],
      ],
    );
    const diabetes = s.conditions[0]!;
    assert.deepEqual(counts(diabetes.bySex), [6, 0, 0]);
    assert.deepEqual(counts(diabetes.byAgeBand), [0, 0, 6, 0, 0, 0, 0]);
    assert.ok(s.conditions[1]!.bySex.every((c) => c.suppressed));
  });

  it('is empty for an empty cohort', () => {
    const e = cohortStats({ ...tables, person: [], condition_occurrence: [] }, asOf);
    assert.equal(e.persons.count, 0);
    assert.deepEqual(counts(e.bySex), [0, 0, 0]);
    assert.deepEqual(e.conditions, []);
  });
});

// ---- over HTTP -----------------------------------------------------------------------------------

interface Omop {
  tables: OmopTables;
}

/** Completed years, computed here without the route's helpers: the independent reference. */
function ageBandOf(p: PersonRow, asOf: Date): string {
  if (p.year_of_birth === null) return 'unknown';
  const m = p.month_of_birth ?? 1;
  const d = p.day_of_birth ?? 1;
  const [ay, am, ad] = [asOf.getUTCFullYear(), asOf.getUTCMonth() + 1, asOf.getUTCDate()];
  const age = ay - p.year_of_birth - (am < m || (am === m && ad < d) ? 1 : 0);
  if (age < 18) return '0-17';
  if (age < 35) return '18-34';
  if (age < 50) return '35-49';
  if (age < 65) return '50-64';
  if (age < 80) return '65-79';
  return '80+';
}

function tallyOf<T>(items: readonly T[], keys: readonly string[], keyOf: (x: T) => string): number[] {
  return keys.map((k) => items.filter((x) => keyOf(x) === k).length);
}

/** Every published cell equals the reference; every suppressed one is small or complementary. */
function assertMatches(cells: readonly Cell[], reference: readonly number[], what: string): void {
  assert.equal(cells.length, reference.length, what);
  for (const [i, c] of cells.entries()) {
    if (c.suppressed) assert.equal(c.count, null, what);
    else assert.equal(c.count, reference[i], `${what} ${c.key}`);
  }
  for (const [i, c] of cells.entries()) {
    const isSmall = reference[i]! > 0 && reference[i]! < 5;
    assert.equal(c.suppression === 'small', isSmall, `${what} ${c.key}: small exactly when 1–4`);
  }
}

describe('GET /api/v1/research/cohorts', { timeout: 60_000 }, () => {
  let t: TestNode;
  let researcher: string;
  const sexOf = (p: PersonRow): string =>
    p.gender_source_value === 'female' || p.gender_source_value === 'male' ? p.gender_source_value : 'other';
  const cohorts = async (): Promise<CohortStats> => {
    const r = await t.api('/api/v1/research/cohorts', { token: researcher });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as CohortStats;
  };

  before(async () => {
    t = await startTestNode({ patients: 8 });
    researcher = await t.login(DEMO.research);
  });
  after(async () => {
    await t.close();
  });

  it('refuses a doctor', async () => {
    const r = await t.api('/api/v1/research/cohorts', { token: await t.login(DEMO.chen) });
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'ML_ERR_ROLE_FORBIDDEN');
  });

  it('is empty while nobody consented to research', async () => {
    const s = await cohorts();
    assert.deepEqual(s.persons, { key: 'all', count: 0, suppressed: false });
    assert.deepEqual(s.conditions, []);
  });

  it('counts exactly the consented patients, as the OMOP export does', async () => {
    const own = await t.login(DEMO.patient);
    const [me] = (await (await t.api('/api/v1/patients', { token: own })).json()) as { id: string }[];
    const doctor = await t.login(DEMO.chen);
    const listed = (await (await t.api('/api/v1/patients?limit=50', { token: doctor })).json()) as {
      id: string;
    }[];
    assert.equal(listed.length, 8);
    const others = listed.filter((p) => p.id !== me!.id);
    // Six of eight consent (the demo patient and five with new accounts); two do not and must not count.
    const tokens = [
      own,
      ...(await enrollPatients(
        t,
        others.slice(0, 5).map((p) => p.id),
        'cohort',
      )),
    ];
    const validTo = new Date(Date.now() + 86_400_000).toISOString();
    const grant = { grantee: { kind: 'organization', orgId: 'st-marys' }, purpose: 'research', validTo };
    for (const g of await Promise.all(
      tokens.map((token) => t.api('/api/v1/consents', { token, body: grant })),
    ))
      assert.equal(g.status, 201, await g.text());
    const s = await cohorts();
    const { tables } = (await (
      await t.api('/api/v1/research/omop?format=json', { token: researcher })
    ).json()) as Omop;
    const asOf = new Date(s.asOf);
    assert.equal(tables.person.length, 6);
    assert.deepEqual(s.persons, { key: 'all', count: 6, suppressed: false });
    assertMatches(s.bySex, tallyOf(tables.person, SEXES, sexOf), 'sex');
    assertMatches(
      s.byAgeBand,
      tallyOf(tables.person, AGE_BANDS, (p) => ageBandOf(p, asOf)),
      'age',
    );
    const byId = new Map(tables.person.map((p) => [p.person_id, p]));
    const codes = new Map<string, Set<number>>();
    for (const c of tables.condition_occurrence)
      if (c.condition_source_value !== null)
        codes.set(
          c.condition_source_value,
          (codes.get(c.condition_source_value) ?? new Set()).add(c.person_id),
        );
    const ranked = [...codes.values()].map((x) => x.size).sort((a, b) => b - a);
    assert.deepEqual(
      s.conditions.map((c) => codes.get(c.code)?.size),
      ranked.slice(0, 15),
    );
    for (const c of s.conditions) {
      const people = [...codes.get(c.code)!].map((id) => byId.get(id)!);
      assertMatches([c.persons], [people.length], c.code);
      if (!c.persons.suppressed) {
        assertMatches(c.bySex, tallyOf(people, SEXES, sexOf), `${c.code} sex`);
        assertMatches(
          c.byAgeBand,
          tallyOf(people, AGE_BANDS, (p) => ageBandOf(p, asOf)),
          `${c.code} age`,
        );
      } else assert.ok([...c.bySex, ...c.byAgeBand].every((x) => x.suppressed));
    }
    // Something was published and something suppressed, or the comparison proved little.
    const all = [
      s.persons,
      ...s.bySex,
      ...s.byAgeBand,
      ...s.conditions.flatMap((c) => [c.persons, ...c.bySex]),
    ];
    assert.ok(all.some((x) => x.suppressed));
    assert.ok(all.some((x) => !x.suppressed && x.count! >= 5));
  });

  it('streams each table as CSV with the rows of the JSON export', async () => {
    const { tables } = (await (
      await t.api('/api/v1/research/omop?format=json', { token: researcher })
    ).json()) as Omop;
    assert.ok(tables.measurement.length > 10);
    for (const table of ['person', 'measurement', 'condition_occurrence'] as const) {
      const r = await t.api(`/api/v1/research/omop?format=csv&table=${table}`, { token: researcher });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = (await r.text()).split('\r\n').filter((l) => l !== '');
      assert.equal(lines[0], OMOP_COLUMNS[table].join(','));
      assert.equal(lines.length - 1, tables[table].length, table);
      const firstId = Number(lines[1]!.split(',')[0]);
      assert.equal(firstId, Object.values(tables[table][0]!)[0], `${table}: first row`);
    }
  });

  it('refuses the JSON form for a cohort beyond its bound, pointing at CSV', async () => {
    const ctx = t.server.ctx as { researchJsonMax: number };
    const bound = ctx.researchJsonMax;
    ctx.researchJsonMax = 3; // the cohort above holds more records than this
    try {
      const r = await t.api('/api/v1/research/omop?format=json', { token: researcher });
      assert.equal(r.status, 400);
      const e = (await r.json()) as { error: { message: string } };
      assert.match(e.error.message, /format=csv&table=/);
      const csv = await t.api('/api/v1/research/omop?format=csv&table=person', { token: researcher });
      assert.equal(csv.status, 200);
    } finally {
      ctx.researchJsonMax = bound;
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await t.api('/openapi.json')).json()) as { paths: Record<string, unknown> };
    assert.ok('/api/v1/research/cohorts' in doc.paths);
  });
});
