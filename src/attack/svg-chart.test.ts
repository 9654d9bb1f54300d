/**
 * @module
 * The SVG line chart: well-formed XML (checked by a small tag-balance parser), escaped text, a
 * logarithmic y axis (equal ratios, equal distances; larger values higher), points a log axis
 * cannot show break the line, and the lab's charts come out of a report with titles and labels.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgumentValueError } from '../core/errors.ts';
import { CHART_NAMES, chartsOf } from './charts.ts';
import type { AttackReport } from './report.ts';
import { logLineChart, scale } from './svg-chart.ts';

/** Throws unless every tag is closed in order; returns the element names seen. */
function balanced(svg: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m as unknown as [string, string, string, string, string];
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else {
      seen.push(name);
      if (!self) stack.push(name);
    }
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ''), /[<>]|&(?!#\d+;)/, 'unescaped text');
  return seen;
}

const cy = (svg: string): number[] =>
  [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('logLineChart', () => {
  it('is well formed, with the title and axis labels escaped', () => {
    const svg = logLineChart({
      title: 'a <b> & "c"',
      xLabel: 'x & y',
      yLabel: "time's <log>",
      series: [
        {
          name: 's<1>',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 1000 },
          ],
          markers: true,
        },
      ],
    });
    const names = balanced(svg);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    for (const n of ['title', 'text', 'path', 'circle', 'line']) assert.ok(names.includes(n), n);
    assert.ok(svg.includes('a &#60;b&#62; &#38; &#34;c&#34;'));
    assert.ok(svg.includes('time&#39;s &#60;log&#62;'));
  });

  it('puts larger values higher, equal ratios at equal distances', () => {
    const svg = logLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 's', points: [1, 10, 100, 1e6].map((y, x) => ({ x, y })), markers: true, line: false },
      ],
    });
    const [a, b, c, d] = cy(svg) as [number, number, number, number];
    assert.ok(a > b && b > c && c > d);
    assert.ok(Math.abs(a - b - (b - c)) < 0.2);
    assert.ok(Math.abs(c - d - 4 * (a - b)) < 0.5);
    assert.doesNotMatch(svg, /<path/);
  });

  it('breaks the line at points a log axis cannot show', () => {
    const svg = logLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 's', points: [1, 2, 0, 4, Number.NaN, -1, 7].map((y, x) => ({ x, y })) }],
    });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(d.match(/M/g)!.length, 3);
    assert.equal(d.match(/L/g)!.length, 1);
  });

  it('refuses a chart with nothing to plot', () => {
    assert.throws(
      () =>
        logLineChart({
          title: 't',
          xLabel: 'x',
          yLabel: 'y',
          series: [{ name: 's', points: [{ x: 1, y: 0 }] }],
        }),
      ArgumentValueError,
    );
  });

  it('maps linearly or by decades', () => {
    assert.equal(scale(0, 10, 0, 100)(5), 50);
    assert.equal(scale(1, 1000, 0, 300, true)(10), 100);
  });
});

describe('chartsOf', () => {
  it('draws the charts a report has data for', () => {
    const report = {
      version: 1,
      date: '2026-01-01T00:00:00.000Z',
      machine: { cpus: 2, model: 'x', node: 'v24', platform: 'linux', arch: 'x64' },
      runs: {},
      scenarios: {
        mining: {
          date: '2026-01-01T00:00:00.000Z',
          hashesPerSec: 500_000,
          rateSample: { attempts: 1, ms: 1 },
          rows: [0, 1, 2].map((d) => ({
            difficulty: d,
            expectedAttempts: 2 ** d,
            expectedMs: (2 ** d / 500_000) * 1000,
            measured: d < 2,
            runs: d < 2 ? 1 : 0,
            ...(d < 2 ? { meanAttempts: 2 ** d, medianMs: 0.01, meanMs: 0.01, valid: true } : {}),
          })),
          demo: { difficultyBits: 4, blocks: [], verified: true },
        },
      },
    } satisfies AttackReport;
    const charts = chartsOf(report);
    assert.deepEqual([...charts.keys()], ['mining-time', 'mining-attempts']);
    for (const [name, svg] of charts) {
      assert.ok((CHART_NAMES as readonly string[]).includes(name));
      balanced(svg);
      assert.match(svg, /<title id="chart-title">/);
      assert.match(svg, /difficulty \(leading zero bits/);
    }
  });
});
