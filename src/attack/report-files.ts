/**
 * @module
 * The exported report under a data directory: `DIR/attack-lab/report.json` and one SVG per chart
 * (`DIR/attack-lab/<name>.svg`), written atomically. A new run merges into the saved report, so
 * scenarios run one at a time add up to one report; the charts are redrawn from the merged report.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileDurable } from '../chain/data-dir.ts';
import { chartsOf } from './charts.ts';
import type { ChartName } from './charts.ts';
import { mergeReports, REPORT_VERSION } from './report.ts';
import type { AttackReport } from './report.ts';

export const LAB_DIR = 'attack-lab';
export const REPORT_FILE = 'report.json';

export function labDir(dataDir: string): string {
  return join(resolve(dataDir), LAB_DIR);
}

/** The saved report, or undefined when there is none (or it is unreadable or of another version). */
export function loadReport(dataDir: string): AttackReport | undefined {
  const path = join(labDir(dataDir), REPORT_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<AttackReport>;
    return r.version === REPORT_VERSION && typeof r.scenarios === 'object' ? (r as AttackReport) : undefined;
  } catch {
    return undefined;
  }
}

/** Merges `report` into the saved one and writes it with its charts; returns the merged report and paths. */
export function saveReport(
  dataDir: string,
  report: AttackReport,
  opts: { merge?: boolean } = {},
): { report: AttackReport; files: string[] } {
  const dir = labDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const merged = opts.merge === false ? report : mergeReports(loadReport(dataDir), report);
  const files = [join(dir, REPORT_FILE)];
  writeFileDurable(files[0]!, `${JSON.stringify(merged, null, 2)}\n`, 0o644);
  for (const [name, svg] of chartsOf(merged)) {
    const path = join(dir, `${name}.svg`);
    writeFileDurable(path, svg, 0o644);
    files.push(path);
  }
  return { report: merged, files };
}

/** A saved chart, or undefined when it was never drawn. */
export function readChart(dataDir: string, name: ChartName): string | undefined {
  const path = join(labDir(dataDir), `${name}.svg`);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
