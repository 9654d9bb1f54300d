/**
 * @module
 * The layer rules of `npm run lint` (.dependency-cruiser.cjs) hold on the tree, and catch what they
 * forbid: on a scratch copy of src, an import up the layers, a base folder importing another, an
 * import cycle, and the API reaching past the medical facade are each reported by their rule and file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** The violations dependency-cruiser reports for `dirs` of `cwd` under the project's rules. */
function cruise(cwd: string, dirs: readonly string[]): Violation[] {
  const r = spawnSync(
    process.execPath,
    [DEPCRUISE, ...dirs, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
  );
  assert.ok(r.stdout.length > 0, r.stderr);
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
  return out.summary.violations;
}

const scratch = mkdtempSync(join(tmpdir(), 'medledger-layers-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('layer rules', () => {
  it('hold on the tree: no cycle, no import up the layers', () => {
    assert.deepEqual(cruise(ROOT, ['src', 'bench', 'test', 'scripts', 'web/src']), []);
  });

  it('catch an upward import, a base folder importing another, and a cycle in a scratch copy', () => {
    cpSync(join(ROOT, 'src'), join(scratch, 'src'), { recursive: true });
    cpSync(join(ROOT, 'tsconfig.json'), join(scratch, 'tsconfig.json'));
    assert.deepEqual(cruise(scratch, ['src']), []);
    appendFileSync(
      join(scratch, 'src/chain/proofs.ts'),
      "\nexport type { Vault } from '../medical/vault.ts';\n",
    );
    appendFileSync(
      join(scratch, 'src/store/store.ts'),
      "\nexport type { Tx } from '../state-machine/payloads.ts';\n",
    );
    appendFileSync(join(scratch, 'src/core/bytes.ts'), "\nexport type { Json } from '../fhir/paths.ts';\n");
    writeFileSync(
      join(scratch, 'src/runtime/ping.ts'),
      "import { pong } from './pong.ts';\nexport const ping = (): number => pong() + 1;\n",
    );
    writeFileSync(
      join(scratch, 'src/runtime/pong.ts'),
      "import { ping } from './ping.ts';\nexport const pong = (): number => ping() - 1;\n",
    );
    const found = cruise(scratch, ['src']).map((v) => `${v.rule.name} ${v.from} -> ${v.to}`);
    assert.deepEqual(found.sort(), [
      'base-store src/store/store.ts -> src/state-machine/payloads.ts',
      'core-is-pure src/core/bytes.ts -> src/fhir/paths.ts',
      'layer-chain src/chain/proofs.ts -> src/medical/vault.ts',
      'no-cycle src/runtime/ping.ts -> src/runtime/pong.ts', // a cycle is reported once
    ]);
  });

  it('hold the API to one door: the facade, the integrity monitor and the error registry', () => {
    const copy = join(scratch, 'one-door');
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(ROOT, 'tsconfig.json'), join(copy, 'tsconfig.json'));
    appendFileSync(
      join(copy, 'src/api/routes/home-routes.ts'),
      "\nexport type { ChainNode } from '../../chain/chain-node.ts';\nexport type { Vault } from '../../medical/vault.ts';\n" +
        "export type { Tx } from '../../core/tx.ts';\nexport type { MedicalFacade } from '../../medical/facade.ts';\n" +
        "export type { IntegrityStatus } from '../../integrity/integrity-monitor.ts';\n",
    );
    const found = cruise(copy, ['src']).map((v) => `${v.rule.name} ${v.from} -> ${v.to}`);
    assert.deepEqual(found.sort(), [
      'api-one-door src/api/routes/home-routes.ts -> src/chain/chain-node.ts',
      'api-one-door src/api/routes/home-routes.ts -> src/core/tx.ts',
      'api-one-door src/api/routes/home-routes.ts -> src/medical/vault.ts',
    ]);
  });
});
