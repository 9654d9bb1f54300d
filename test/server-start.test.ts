/**
 * @module
 * A server is ready before its first request: the FHIR definitions a record write validates against
 * are indexed while it starts (≈ 0.4 s), not by the first FHIR create after a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildServer } from '../src/api/server.ts';
import { r4DefinitionsLoaded } from '../src/fhir/definitions.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { TEST_KDF } from './support/http-node.ts';

test('the FHIR definitions are indexed before the server listens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medledger-start-'));
  const { node } = await MedicalNode.open(dir, {
    adminPassword: 'server start test pw',
    kdf: TEST_KDF,
    difficulty: 2,
  });
  const server = await buildServer({ node, logger: false, monitorIntervalMs: 500 });
  try {
    assert.equal(r4DefinitionsLoaded(), false, 'nothing validated yet in this process');
    await server.listen(0, '127.0.0.1');
    assert.equal(r4DefinitionsLoaded(), true);
  } finally {
    await server.close();
  }
});
