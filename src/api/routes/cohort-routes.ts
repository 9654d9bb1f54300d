/**
 * @module
 * `GET /api/v1/research/cohorts` (researcher): aggregate counts over the research cohort — persons by
 * sex, by age band, by condition (top 15) and condition × sex / × age band — computed from the same
 * de-identified OMOP CDM v5.4 export as `/research/omop`, so only patients with an active research
 * consent for the researcher (or their organization) count, and every patient counted is an audited
 * export event on their access log.
 *
 * Small-cell suppression (as in the CMS cell size suppression policy and NCHS/ONS practice): a count
 * from 1 to 4 is published as `null` with `suppressed: true` ("<5"). Where one suppressed cell could be
 * recovered by subtracting the others from a published total, the smallest other non-zero cell is
 * suppressed too (complementary suppression); when the total itself is suppressed, so is every cell.
 *
 * Ages come from the export's shifted birth dates (± 180 days), so a person near a band edge may fall in
 * the neighbouring band; a withheld year of birth (Safe Harbor: age 90 or over, or none recorded) is
 * the band "unknown". Condition names come from the SNOMED CT displays MedLedger knows; other codes
 * show as their `vocabulary|code` source value (no OMOP vocabulary tables offline).
 */
import type { FastifyPluginAsync } from 'fastify';
import { ageAt } from '../../fhir/omop-deid.ts';
import type { FhirDate } from '../../fhir/omop-deid.ts';
import { CONCEPT } from '../../fhir/omop-tables.ts';
import type { ConditionOccurrenceRow, OmopTables, PersonRow } from '../../fhir/omop-tables.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { Cell, CohortStats } from '../contract/research.ts';
import { errorResponses } from '../schemas.ts';

/** Counts below this (and above 0) are never published. */
export const MIN_CELL = 5;
export const TOP_CONDITIONS = 15;
export const AGE_BANDS = ['0-17', '18-34', '35-49', '50-64', '65-79', '80+', 'unknown'] as const;
export const SEXES = ['female', 'male', 'other'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export type Sex = (typeof SEXES)[number];

const NOTE =
  'Counts over de-identified data of patients who consented to research only. Counts from 1 to 4 are ' +
  'suppressed (count null, suppression "small", shown as "<5") so that no individual can be singled out; ' +
  'where a suppressed cell could be derived from a published total, another cell is suppressed too ' +
  '(suppression "complementary").';

const upperBound = (s: string): number => (s === '80+' ? Infinity : Number(s.split('-')[1]));

/** The age band of a person at `asOf`, from the export's (shifted) birth date. */
export function ageBand(p: PersonRow, asOf: number): AgeBand {
  if (p.year_of_birth === null) return 'unknown';
  const precision = p.month_of_birth === null ? 'year' : p.day_of_birth === null ? 'month' : 'day';
  const birth: FhirDate = {
    year: p.year_of_birth,
    month: p.month_of_birth ?? 1,
    day: p.day_of_birth ?? 1,
    time: null,
    precision,
  };
  const age = ageAt(birth, asOf);
  return AGE_BANDS.find((b) => b !== 'unknown' && age <= upperBound(b)) ?? 'unknown';
}

export function sexOf(p: PersonRow): Sex {
  return p.gender_concept_id === CONCEPT.female
    ? 'female'
    : p.gender_concept_id === CONCEPT.male
      ? 'male'
      : 'other';
}

const small = (n: number): boolean => n > 0 && n < MIN_CELL;

const hide = (key: string, why: 'small' | 'complementary'): Cell => ({
  key,
  count: null,
  suppressed: true,
  suppression: why,
});

/** One published count: suppressed when 1..4. */
export function cell(key: string, n: number): Cell {
  return small(n) ? hide(key, 'small') : { key, count: n, suppressed: false };
}

/**
 * Cells of one breakdown of `total` persons, with primary and complementary suppression. The cells
 * must partition the total (each person in exactly one), which is what makes subtraction an attack.
 */
export function suppressGroup(keys: readonly string[], counts: readonly number[], total: number): Cell[] {
  // A small group hides everything, zeros too, and alike: which cell is "small" would say who is there.
  if (small(total)) return keys.map((key) => hide(key, 'complementary'));
  const cells = keys.map((key, i) => cell(key, counts[i]!));
  if (cells.filter((c) => c.suppressed).length === 1) {
    let pick = -1;
    for (const [i, n] of counts.entries())
      if (!cells[i]!.suppressed && n > 0 && (pick < 0 || n < counts[pick]!)) pick = i;
    if (pick >= 0) cells[pick] = hide(keys[pick]!, 'complementary');
  }
  return cells;
}

/** The raw (unsuppressed) tallies of a set of persons. */
function tally(persons: readonly PersonRow[], asOf: number): { sex: number[]; age: number[] } {
  const sex = SEXES.map(() => 0);
  const age = AGE_BANDS.map(() => 0);
  for (const p of persons) {
    sex[SEXES.indexOf(sexOf(p))]! += 1;
    age[AGE_BANDS.indexOf(ageBand(p, asOf))]! += 1;
  }
  return { sex, age };
}

/**
 * The cohort statistics of one export, suppressed; conditions named from `names` (by source value).
 * Pure: same tables, time and names, same answer.
 */
export function cohortStats(
  tables: OmopTables,
  asOf: number,
  names: ReadonlyMap<string, string> = new Map(),
): CohortStats {
  const people = new Map(tables.person.map((p) => [p.person_id, p]));
  const all = tally(tables.person, asOf);
  const withCondition = new Map<string, Set<number>>();
  for (const c of tables.condition_occurrence) {
    if (c.condition_source_value === null || !people.has(c.person_id)) continue;
    let s = withCondition.get(c.condition_source_value);
    if (!s) withCondition.set(c.condition_source_value, (s = new Set()));
    s.add(c.person_id);
  }
  const top = [...withCondition.entries()]
    .sort(([a, x], [b, y]) => y.size - x.size || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_CONDITIONS);
  const total = tables.person.length;
  return {
    asOf: new Date(asOf).toISOString(),
    minCellSize: MIN_CELL,
    note: NOTE,
    persons: cell('all', total),
    bySex: suppressGroup(SEXES, all.sex, total),
    byAgeBand: suppressGroup(AGE_BANDS, all.age, total),
    conditions: top.map(([code, ids]) => {
      const t = tally(
        [...ids].map((id) => people.get(id)!),
        asOf,
      );
      return {
        code,
        name: names.get(code) ?? null,
        persons: cell(code, ids.size),
        bySex: suppressGroup(SEXES, t.sex, ids.size),
        byAgeBand: suppressGroup(AGE_BANDS, t.age, ids.size),
      };
    }),
  };
}

const cellSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    count: { type: ['integer', 'null'], description: 'null when suppressed' },
    suppressed: { type: 'boolean' },
    suppression: {
      type: 'string',
      enum: ['small', 'complementary'],
      description:
        'when suppressed: small = the count is 1–4 (report as "<5"); complementary = hidden so that a small cell cannot be derived from the total',
    },
  },
  required: ['key', 'count', 'suppressed'],
} as const;

const cells = (keys: readonly string[]) =>
  ({ type: 'array', items: cellSchema, description: `one cell each: ${keys.join(', ')}` }) as const;

export const cohortSchema = {
  type: 'object',
  properties: {
    asOf: { type: 'string', format: 'date-time', description: 'ages are computed at this time' },
    minCellSize: { type: 'integer', description: 'counts from 1 to minCellSize − 1 are suppressed' },
    note: { type: 'string' },
    persons: cellSchema,
    bySex: cells(SEXES),
    byAgeBand: cells(AGE_BANDS),
    conditions: {
      type: 'array',
      description: `the ${String(TOP_CONDITIONS)} conditions with the most persons`,
      items: {
        type: 'object',
        properties: {
          code: { type: 'string', description: 'OMOP condition_source_value (vocabulary|code)' },
          name: { type: ['string', 'null'] },
          persons: cellSchema,
          bySex: cells(SEXES),
          byAgeBand: cells(AGE_BANDS),
        },
        required: ['code', 'name', 'persons', 'bySex', 'byAgeBand'],
      },
    },
  },
  required: ['asOf', 'minCellSize', 'note', 'persons', 'bySex', 'byAgeBand', 'conditions'],
} as const;

export function cohortRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/research/cohorts',
      {
        schema: {
          tags: ['research'],
          summary:
            'Cohort counts by sex, age band and condition over research-consented, de-identified data, with small cells (<5) suppressed (researcher)',
          response: { 200: cohortSchema, ...errorResponses },
        },
      },
      async (req) => {
        // Only what the counts need is kept: a row per person and one per (person, condition).
        const person: PersonRow[] = [];
        const conditions = new Map<string, ConditionOccurrenceRow>();
        for await (const part of authOf(req, 'researcher').scope.researchExport()) {
          for (const p of part.person) person.push(p);
          for (const c of part.condition_occurrence)
            conditions.set(`${String(c.person_id)}|${c.condition_source_value ?? ''}`, c);
        }
        const tables: OmopTables = {
          person,
          condition_occurrence: [...conditions.values()],
          visit_occurrence: [],
          drug_exposure: [],
          measurement: [],
          note: [],
        };
        return cohortStats(tables, ctx.now(), ctx.conditionNames);
      },
    );
  };
}
