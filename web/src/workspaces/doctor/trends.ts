/**
 * @module
 * Observation trends for the chart: per LOINC code with at least two dated numeric values, the
 * points oldest first (one series, or one per component: blood pressure's systolic and diastolic).
 */
import type { CodeableConcept, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import {
  LOINC,
  clinicalDate,
  codingOf,
  conceptText,
  dateValue,
  formatDate,
  unitLabel,
} from '../../lib/fhir-display.ts';
import type { LooseResource } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import { cc, componentLabel, observationValue } from './chart-model.ts';

/** Panel names people use, instead of the LOINC long names. */
const TREND_TITLES: Record<string, string> = {
  '85354-6': 'Blood pressure',
  '39156-5': 'Body mass index (BMI)',
};

export interface Trend {
  readonly key: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly string[];
  readonly points: readonly ({ date: string } & Record<string, number | string>)[];
  readonly latest: string;
  /** Vital signs come first in the chart. */
  readonly vital: boolean;
}

interface Point {
  readonly t: number;
  readonly values: Record<string, number>;
  readonly text: string;
}

/** Numeric values of one observation by series name (one series, or one per component). */
function numericValues(r: LooseResource): { values: Record<string, number>; unit: string } | null {
  const q = r.valueQuantity as Quantity | undefined;
  if (typeof q?.value === 'number') return { values: { Value: q.value }, unit: unitLabel(q) };
  const values: Record<string, number> = {};
  let unit = '';
  for (const c of (r.component as ObservationComponent[] | undefined) ?? []) {
    if (typeof c.valueQuantity?.value !== 'number') continue;
    values[componentLabel(c)] = c.valueQuantity.value;
    unit ||= unitLabel(c.valueQuantity);
  }
  return Object.keys(values).length > 0 ? { values, unit } : null;
}

/** One trend per LOINC code with at least two dated numeric values, oldest point first. */
export function trends(observations: readonly RecordView[]): Trend[] {
  const groups = new Map<string, { title: string; unit: string; vital: boolean; points: Point[] }>();
  for (const v of observations) {
    const r: LooseResource = v.resource;
    const code = codingOf(cc(r.code), LOINC)?.code;
    const t = dateValue(clinicalDate(r));
    const n = numericValues(r);
    if (!code || !n || t === 0) continue;
    const vital = ((r.category as CodeableConcept[] | undefined) ?? []).some((c) =>
      c.coding?.some((x) => x.code === 'vital-signs'),
    );
    const g = groups.get(code) ?? {
      title: TREND_TITLES[code] ?? conceptText(cc(r.code), code),
      unit: n.unit,
      vital,
      points: [],
    };
    g.points.push({ t, values: n.values, text: observationValue(r) });
    groups.set(code, g);
  }
  const out: Trend[] = [];
  for (const [key, g] of groups) {
    if (g.points.length < 2) continue;
    g.points.sort((a, b) => a.t - b.t);
    // Systolic before diastolic, as blood pressure is written.
    const series = [...new Set(g.points.flatMap((p) => Object.keys(p.values)))].sort(
      (a, b) => Number(b === 'Systolic') - Number(a === 'Systolic'),
    );
    out.push({
      key,
      title: g.title,
      unit: g.unit,
      series,
      points: g.points.map((p) => ({ date: formatDate(new Date(p.t).toISOString()), ...p.values })),
      latest: g.points.at(-1)!.text,
      vital: g.vital,
    });
  }
  return out.sort((a, b) => Number(b.vital) - Number(a.vital) || a.title.localeCompare(b.title));
}
