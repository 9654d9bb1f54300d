/**
 * @module
 * `medledger attack` end to end as the real CLI in a child process: every scenario quick with
 * --json on an empty directory (fresh chains), the report and its SVG charts under
 * DIR/attack-lab, a stable error for an unknown scenario, and a rewrite of a real data directory
 * (made with the real ChainNode, as `mine-demo` does) that is attacked through a snapshot and still
 * verifies afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { CHART_NAMES } from '../src/attack/charts.ts';
import { SCENARIOS } from '../src/attack/report.ts';
import type { AttackReport } from '../src/attack/report.ts';
import { ChainNode } from '../src/chain/chain-node.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAIN = 'src/cli/main.ts';
const root = mkdtempSync(join(tmpdir(), 'medledger-cli-attack-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MEDLEDGER_DATA;
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('medledger attack', () => {
  it('attack all --quick --json: every scenario, the report and its charts', () => {
    const dir = join(root, 'empty');
    const r = cli('attack', 'all', '--quick', '--json', '--data', dir);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as AttackReport;
    assert.deepEqual(Object.keys(report.scenarios).sort(), [...SCENARIOS].sort());
    const s = report.scenarios;
    assert.equal(s.rewrite?.source, 'fresh');
    assert.equal(s.rewrite.verdict.ok, false);
    assert.equal(s.forgery?.rejected, s.forgery?.attempted);
    assert.ok(s.tamper?.cases.every((c) => c.detected && c.located));
    assert.ok(s.mining?.rows.some((row) => !row.measured)); // quick: large difficulties extrapolated
    assert.match(r.stderr, /attack lab: tamper \(quick\)/);
    const saved = JSON.parse(readFileSync(join(dir, 'attack-lab', 'report.json'), 'utf8')) as AttackReport;
    assert.deepEqual(saved, report);
    for (const name of CHART_NAMES) {
      const svg = readFileSync(join(dir, 'attack-lab', `${name}.svg`), 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
      assert.match(svg, /<\/svg>\n$/, name);
    }
  });

  it('rejects an unknown scenario with a stable code', () => {
    const r = cli('attack', 'teleport', '--quick', '--data', join(root, 'x'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ML_ERR_ARG_VALUE/);
    assert.equal(existsSync(join(root, 'x', 'attack-lab')), false);
  });

  it('rewrites a snapshot of a real data directory, which still verifies', async () => {
    const dir = join(root, 'node');
    const ledger = await ChainNode.init(dir, { difficulty: 2 });
    for (let i = 1; i <= 4; i++) {
      await ledger.addData({ name: `Mining Block ${String(i)}` });
      await ledger.mine();
    }
    await ledger.close();
    const r = cli('attack', 'rewrite', '--quick', '--data', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /HISTORY REWRITE: snapshot of the data directory, height 4/);
    assert.match(r.stdout, /Verifier verdict: REJECTED, first problem at height 2/);
    assert.match(r.stdout, /height 2 tx 0: tx-signature/); // one transaction per block: index 0
    assert.match(r.stdout, /height 4: block-signature/);
    assert.ok(existsSync(join(dir, 'attack-lab', 'rewrite-time.svg')));
    const after = await ChainNode.open(dir, { verify: 'full' });
    try {
      assert.deepEqual((await after.verify({ full: true })).problems, []);
    } finally {
      await after.close();
    }
  });
});
