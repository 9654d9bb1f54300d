/**
 * @module
 * The lab runner and its files: scenario lists, one report for the selected scenarios, saving it
 * with its charts under the data directory, merging later runs, and the check that names every
 * defence that did not hold.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ArgumentValueError } from '../core/errors.ts';
import { labDir, loadReport, readChart, saveReport } from './report-files.ts';
import { labFailures, parseScenarios, runAttackLab, SCENARIOS } from './report.ts';
import type { AttackReport } from './report.ts';

const root = mkdtempSync(join(tmpdir(), 'medledger-attack-report-test-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const TINY = {
  mining: { maxDifficulty: 8, maxMeasuredDifficulty: 4, budgetMs: 20, rateAttempts: 5000, demoBlocks: 2 },
  forgery: { bitFlips: 1, verifies: 50 },
} as const;

describe('parseScenarios', () => {
  it('rejects unknown names and empty lists', () => {
    assert.throws(() => parseScenarios(['mining', 'nope']), ArgumentValueError);
    assert.throws(() => parseScenarios([]), ArgumentValueError);
  });

  it('expands all and drops repeats', () => {
    assert.deepEqual(parseScenarios(['all']), [...SCENARIOS]);
    assert.deepEqual(parseScenarios(['forgery', 'mining', 'forgery']), ['forgery', 'mining']);
  });
});

describe('runAttackLab and the report files', () => {
  let first: AttackReport;
  const dir = join(root, 'data');

  it('runs the selected scenarios into one report', async () => {
    first = await runAttackLab({ scenarios: ['mining', 'forgery'], quick: true, params: TINY });
    assert.equal(first.version, 1);
    assert.deepEqual(Object.keys(first.scenarios).sort(), ['forgery', 'mining']);
    assert.deepEqual(Object.keys(first.runs).sort(), ['forgery', 'mining']);
    assert.equal(first.runs.mining?.quick, true);
    assert.ok(first.machine.cpus >= 1);
    assert.deepEqual(labFailures(first), []);
  });

  it('saves the report and its charts under DIR/attack-lab and loads it back', () => {
    const { files } = saveReport(dir, first);
    assert.deepEqual(
      files.map((f) => f.slice(labDir(dir).length + 1)),
      ['report.json', 'mining-time.svg', 'mining-attempts.svg'],
    );
    for (const f of files) assert.ok(existsSync(f), f);
    assert.deepEqual(loadReport(dir), JSON.parse(JSON.stringify(first)) as AttackReport);
    assert.match(readChart(dir, 'mining-time') ?? '', /^<svg /);
    assert.equal(readChart(dir, 'rewrite-time'), undefined);
  });

  it('merges a later run into the saved report', async () => {
    const second = await runAttackLab({ scenarios: ['forgery'], quick: true, params: TINY });
    const { report } = saveReport(dir, second);
    assert.deepEqual(Object.keys(report.scenarios).sort(), ['forgery', 'mining']);
    assert.deepEqual(
      report.scenarios.forgery,
      JSON.parse(JSON.stringify(second.scenarios.forgery)) as unknown,
    );
    assert.equal(report.runs.mining?.date, first.runs.mining?.date);
    assert.equal(report.runs.forgery?.date, second.runs.forgery?.date);
  });

  it('ignores a report it cannot read', () => {
    const other = join(root, 'other');
    mkdirSync(join(other, 'attack-lab'), { recursive: true });
    writeFileSync(join(other, 'attack-lab', 'report.json'), '{"version":2,"scenarios":{}}');
    assert.equal(loadReport(other), undefined);
    writeFileSync(join(other, 'attack-lab', 'report.json'), '{not json');
    assert.equal(loadReport(other), undefined);
    assert.equal(loadReport(join(root, 'none')), undefined);
  });

  it('names every defence that did not hold', () => {
    const f = first.scenarios.forgery!;
    const broken = {
      ...first,
      scenarios: {
        ...first.scenarios,
        forgery: {
          ...f,
          rejected: f.attempted - 1,
          controls: { ...f.controls, genuineProofVerifies: false },
        },
      },
    } satisfies AttackReport;
    assert.deepEqual(labFailures(broken), [
      'forgery: 1 forgeries accepted',
      'forgery: a genuine control was rejected',
    ]);
  });
});
