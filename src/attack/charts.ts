/**
 * @module
 * The attack lab's charts, drawn from a report (never from anything else): mining time and attempts
 * against difficulty (measured next to the 2^d model), the time to rewrite history against
 * difficulty and depth, and the time to exhaust a key space against its size in bits. All log-scale.
 */
import type { AttackReport } from './report.ts';
import { logLineChart } from './svg-chart.ts';
import type { Series } from './svg-chart.ts';
import { SECONDS_PER_YEAR, UNIVERSE_AGE_YEARS } from './units.ts';

export const CHART_NAMES = ['mining-time', 'mining-attempts', 'rewrite-time', 'bruteforce-time'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

const TIME_REFS = [
  { y: 1, label: '1 second' },
  { y: 3600, label: '1 hour' },
  { y: 86_400, label: '1 day' },
  { y: SECONDS_PER_YEAR, label: '1 year' },
  { y: 1000 * SECONDS_PER_YEAR, label: '1000 years' },
];
/** Decades of seconds: µs and ms below a second, then plain seconds (the reference lines give hours to years). */
function secondsTick(k: number): string {
  if (k < -3) return `${String(10 ** (k + 6))} µs`;
  if (k < 0) return `${String(10 ** (k + 3))} ms`;
  return k <= 4 ? `${String(10 ** k)} s` : `1e${String(k)} s`;
}

function miningCharts(m: NonNullable<AttackReport['scenarios']['mining']>): [ChartName, string][] {
  const measured = m.rows.filter((r) => r.measured);
  const rate = `${Math.round(m.hashesPerSec).toLocaleString('en-US')} hashes/s`;
  const time = logLineChart({
    title: `Mining time per block vs difficulty (measured rate ${rate})`,
    xLabel: 'difficulty (leading zero bits of the block hash)',
    yLabel: 'time per block (log scale)',
    series: [
      {
        name: 'measured (mean of runs)',
        points: measured.map((r) => ({ x: r.difficulty, y: (r.meanMs ?? NaN) / 1000 })),
        markers: true,
      },
      {
        name: 'expected 2^d / rate (extrapolated beyond measured)',
        points: m.rows.map((r) => ({ x: r.difficulty, y: r.expectedMs / 1000 })),
        dashed: true,
      },
    ],
    refs: TIME_REFS,
    yTick: secondsTick,
  });
  const attempts = logLineChart({
    title: 'Attempts per block vs difficulty',
    xLabel: 'difficulty (leading zero bits of the block hash)',
    yLabel: 'hash attempts (log scale)',
    series: [
      {
        name: 'measured (mean of runs)',
        points: measured.map((r) => ({ x: r.difficulty, y: r.meanAttempts ?? NaN })),
        markers: true,
      },
      {
        name: 'expected 2^d',
        points: m.rows.map((r) => ({ x: r.difficulty, y: r.expectedAttempts })),
        dashed: true,
      },
    ],
  });
  return [
    ['mining-time', time],
    ['mining-attempts', attempts],
  ];
}

function rewriteChart(r: NonNullable<AttackReport['scenarios']['rewrite']>): string {
  const depths = [...new Set(r.extrapolated.map((c) => c.depth))];
  const series: Series[] = depths.map((depth) => ({
    name: `${String(depth)} block${depth === 1 ? '' : 's'} rewritten (extrapolated)`,
    points: r.extrapolated.filter((c) => c.depth === depth).map((c) => ({ x: c.difficulty, y: c.ms / 1000 })),
    dashed: true,
  }));
  const measuredDepths = [...new Set(r.grid.filter((c) => c.measured).map((c) => c.depth))];
  for (const depth of measuredDepths)
    series.push({
      name: `measured, ${String(depth)} block${depth === 1 ? '' : 's'}`,
      points: r.grid
        .filter((c) => c.measured && c.depth === depth)
        .map((c) => ({ x: c.difficulty, y: c.ms / 1000 })),
      markers: true,
      line: false,
    });
  return logLineChart({
    title: 'Time to re-mine history vs difficulty and depth',
    xLabel: 'difficulty (leading zero bits)',
    yLabel: 'time to re-mine (log scale)',
    series,
    refs: TIME_REFS,
    yTick: secondsTick,
  });
}

function bruteforceChart(b: NonNullable<AttackReport['scenarios']['bruteforce']>): string {
  const bits = Array.from({ length: 29 }, (_, i) => 32 + i * 8);
  const rates = new Map<string, number>();
  for (const row of b.keySpaces) for (const a of row.attacks) rates.set(a.attack, a.guessesPerSec);
  const series: Series[] = [...rates].map(([attack, rate]) => ({
    name: `${attack} (${rate < 1 ? rate.toPrecision(2) : String(Math.round(rate))}/s)`,
    points: bits.map((n) => ({ x: n, y: 2 ** n / rate / SECONDS_PER_YEAR })),
  }));
  series.push({
    name: 'key spaces of the report (at their attack rates)',
    points: b.keySpaces.flatMap((row) => row.attacks.map((a) => ({ x: row.bits, y: a.exhaust.years }))),
    markers: true,
    line: false,
  });
  return logLineChart({
    title: 'Time to exhaust a key space vs its size (measured guess rates)',
    xLabel: 'key space (bits): 8 chars a-z0-9 ≈ 41, 8 printable ≈ 53, tokens 128 / 256',
    yLabel: 'years to try every key (log scale)',
    series,
    refs: [
      { y: 1, label: '1 year' },
      { y: UNIVERSE_AGE_YEARS, label: 'age of the universe' },
    ],
    xTicks: [32, 64, 96, 128, 160, 192, 224, 256],
  });
}

/** Every chart the report has the data for. */
export function chartsOf(report: AttackReport): Map<ChartName, string> {
  const out = new Map<ChartName, string>();
  const s = report.scenarios;
  if (s.mining) for (const [name, svg] of miningCharts(s.mining)) out.set(name, svg);
  if (s.rewrite) out.set('rewrite-time', rewriteChart(s.rewrite));
  if (s.bruteforce) out.set('bruteforce-time', bruteforceChart(s.bruteforce));
  return out;
}
