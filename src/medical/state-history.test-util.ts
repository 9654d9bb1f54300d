/**
 * @module
 * A medical node with a little of everything on its chain (records, an amendment, a consent granted
 * and revoked, an approved erasure), for the tests of the state on disk and of its checks.
 */
import { tempDir, TWO_PATIENTS } from '../chain/chain-fixtures.test-util.ts';
import { writeResources } from './importer.ts';
import { MedicalNode } from './medical-node.ts';

export { tempDir };

export const HISTORY_PASSWORD = 'state on disk test password';
const PW = HISTORY_PASSWORD;
export const HISTORY_OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

export async function nodeWithHistory(dir: string): Promise<MedicalNode> {
  const { node } = await MedicalNode.open(dir, HISTORY_OPTS);
  const ids = await writeResources(node, TWO_PATIENTS);
  await node.createUser({ email: 'doc@a.example', name: 'Doc', password: PW, role: 'doctor' });
  await node.createUser({
    email: 'pa@a.example',
    name: 'Pa',
    password: PW,
    role: 'patient',
    patientId: 'pa',
  });
  const doc = node.as(node.login('doc@a.example', PW));
  await doc.amendRecord(ids[2]!, {
    resourceType: 'Observation',
    status: 'amended',
    code: { text: 'a, corrected' },
    subject: { reference: 'Patient/pa' },
  });
  const pa = node.as(node.login('pa@a.example', PW));
  const consent = await pa.grantConsent({
    grantee: { kind: 'organization', orgId: 'st-marys' },
    purpose: 'research',
    validTo: Date.now() + 86_400_000,
  });
  await node.commit();
  await pa.revokeConsent(consent);
  const request = await pa.requestErasure([ids[2]!]);
  await node.commit();
  await node.as(node.login(`admin@st-marys.example`, PW)).approveErasure(request);
  await node.commit();
  return node;
}
