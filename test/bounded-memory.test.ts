/**
 * @module
 * Bounded memory: a chain of 10^6 transactions, grown through the real write path (records and
 * audited reads, as the growth benchmark grows it), is opened by `medledger serve` with a 256 MiB
 * JavaScript heap, which then answers FHIR reads and creates and shuts down cleanly. With the medical
 * state or the access log replayed into memory (as before they moved to disk) the heap would not hold.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { MedicalNode } from '../src/medical/medical-node.ts';
import {
  BIG_PATIENT,
  SCALE_DOCTOR,
  SCALE_PASSWORD,
  scalePatients,
  startGrowth,
} from '../bench/scale-grow.ts';
import { TEST_KDF } from './support/http-node.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TXS = 1_000_000;

test(
  'a node with a 256 MiB heap opens a 10^6-transaction chain and serves it',
  { timeout: 900_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'medledger-bounded-'));
    try {
      const t0 = Date.now();
      const { node } = await MedicalNode.open(dir, { adminPassword: SCALE_PASSWORD, kdf: TEST_KDF });
      const growth = await startGrowth(node, scalePatients(TXS), true);
      await growth.growTo(TXS);
      const probe = node.state.recordsOf(node.blind(BIG_PATIENT), { limit: 2 })[1]!.id;
      const txs = node.ledger.store.txCount();
      await node.close();
      t.diagnostic(`grew ${String(txs)} transactions in ${String(Math.round((Date.now() - t0) / 1000))} s`);
      assert.ok(txs >= TXS);

      const child = spawn(
        process.execPath,
        ['--max-old-space-size=256', MAIN, 'serve', '--data', dir, '--port', '0'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no address after 120 s: ${stderr}`));
        }, 120_000);
        child.stderr.setEncoding('utf8').on('data', (s: string) => {
          stderr += s;
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => {
          reject(new Error(`serve exited (${String(code)}): ${stderr}`));
        });
      });
      try {
        const login = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: SCALE_DOCTOR, password: SCALE_PASSWORD }),
        });
        assert.equal(login.status, 200);
        const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
        for (let i = 0; i < 20; i++) {
          const read = await fetch(`${url}/fhir/R4/Observation/${probe}`, { headers: auth });
          assert.equal(read.status, 200, await read.text());
          const created = await fetch(`${url}/fhir/R4/Observation`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/fhir+json' },
            body: JSON.stringify({
              resourceType: 'Observation',
              status: 'final',
              code: { text: `probe ${String(i)}` },
              subject: { reference: `Patient/${BIG_PATIENT}` },
            }),
          });
          assert.equal(created.status, 201, await created.text());
        }
        const page = await fetch(`${url}/api/v1/patients/${BIG_PATIENT}/records?limit=100`, {
          headers: auth,
        });
        assert.equal(page.status, 200);
        assert.equal(((await page.json()) as unknown[]).length, 100);
        assert.match(page.headers.get('link') ?? '', /rel="next"/);
      } finally {
        child.kill('SIGTERM');
      }
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
