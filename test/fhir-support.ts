/**
 * @module
 * Shared by the FHIR API tests: a seeded test node with logins, fhir-kit-client clients (a FHIR client
 * library we did not write) for the demo users, the seeded patients' FHIR ids, and an assertion that a
 * call fails with a given status and an OperationOutcome.
 */
import assert from 'node:assert/strict';
import type { Bundle, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import type { FhirResource } from 'fhir-kit-client';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

export interface FhirFixture {
  readonly t: TestNode;
  readonly base: string;
  /** A client logged in as `who` (a DEMO key), with extra headers if given. */
  client(who: keyof typeof DEMO, headers?: Record<string, string>): Promise<Client>;
  /** FHIR Patient ids of the seeded patients; `own` is the one the patient login is linked to. */
  readonly patients: readonly string[];
  readonly own: string;
  readonly other: string;
  keyIdOf(who: keyof typeof DEMO): string;
}

export async function startFhirFixture(patients = 2): Promise<FhirFixture> {
  const t = await startTestNode({ patients });
  const base = `${t.url}/fhir/R4`;
  const tokens = new Map<string, string>();
  const token = async (who: keyof typeof DEMO): Promise<string> => {
    const hit = tokens.get(who);
    if (hit !== undefined) return hit;
    const tok = await t.login(DEMO[who]);
    tokens.set(who, tok);
    return tok;
  };
  const r = await t.api('/api/v1/patients', { token: await token('chen') });
  const ids = ((await r.json()) as { id: string }[]).map((p) => p.id);
  assert.equal(ids.length, patients);
  const keyIdOf = (who: keyof typeof DEMO): string => t.node.accounts.byEmail(DEMO[who])!.keyId;
  const blind = t.node.ledger.directory.active(keyIdOf('patient'))!.patient!;
  const own = ids.find((id) => t.node.blind(id) === blind)!;
  return {
    t,
    base,
    patients: ids,
    own,
    other: ids.find((id) => id !== own)!,
    keyIdOf,
    async client(who, headers = {}) {
      return new Client({ baseUrl: base, bearerToken: await token(who), customHeaders: headers });
    },
  };
}

interface ClientError {
  readonly response?: { readonly status: number; readonly data: unknown };
  readonly config?: { readonly headers?: Headers };
}

/** Awaits `p`, which must fail with HTTP `status` and an OperationOutcome; returns the outcome. */
export async function failsWith(
  p: Promise<unknown>,
  status: number,
): Promise<{ outcome: OperationOutcome; headers?: Headers }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  const r = (err as ClientError | undefined)?.response;
  assert.ok(
    r,
    `expected HTTP ${String(status)}, got ${err === undefined ? 'success' : err instanceof Error ? err.message : 'a non-Error'}`,
  );
  assert.equal(r.status, status, JSON.stringify(r.data));
  const outcome = r.data as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome', JSON.stringify(r.data));
  assert.ok(outcome.issue.length > 0);
  const headers = (err as ClientError).config?.headers;
  return { outcome, ...(headers ? { headers } : {}) };
}

/** The response headers fhir-kit-client attached to a result. */
export function headersOf(resource: unknown): Headers {
  const res = Client.httpFor(resource as Parameters<typeof Client.httpFor>[0]).response;
  assert.ok(res, 'no HTTP response attached');
  return res.headers;
}

const HEART_RATE = { system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' };

/** A valid heart-rate Observation of `patient`. */
export function observation(patient: string, extra: Record<string, unknown> = {}): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [HEART_RATE] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: '2024-03-01T10:00:00Z',
    valueQuantity: { value: 72, unit: '/min' },
    ...extra,
  };
}

export const asBundle = (r: unknown): Bundle => r as Bundle;
/** fhir-kit-client's loose resource type ↔ Medplum's FHIR types. */
export const fk = (r: Resource): FhirResource => r as unknown as FhirResource;
export const asObs = (r: FhirResource): Observation => r as unknown as Observation;

/** Records on the ledger once everything pending is committed. */
export async function committedRecords(f: FhirFixture): Promise<number> {
  await f.t.node.commit();
  return f.t.node.state.records.size;
}
