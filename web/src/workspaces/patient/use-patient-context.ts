/**
 * @module
 * What every patient page needs first: the patient's own FHIR Patient id (`GET /patients` answers a
 * patient with only themself) and the directory, to name organizations and doctors.
 */
import { api, sessionToken } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { AsyncState } from '../../lib/use-async.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import type { PatientSummary } from '../../../../src/api/contract/records.ts';

export interface PatientContext {
  readonly me: PatientSummary;
  readonly directory: Directory;
}

// Finding themself is an audited read on the chain: once per session, not once per page.
let self: { readonly token: string | null; readonly patients: Promise<PatientSummary[]> } | undefined;

function ownPatient(): Promise<PatientSummary[]> {
  const token = sessionToken();
  if (self?.token !== token) {
    const patients = api.get<PatientSummary[]>('/patients');
    void patients.catch(() => {
      if (self?.patients === patients) self = undefined;
    });
    self = { token, patients };
  }
  return self.patients;
}

export async function loadPatientContext(signal: AbortSignal): Promise<PatientContext> {
  const [patients, directory] = await Promise.all([ownPatient(), api.get<Directory>('/directory', signal)]);
  const me = patients[0];
  if (!me) throw new Error('No patient record is linked to your account. Please contact your clinic.');
  return { me, directory };
}

export function usePatientContext(): AsyncState<PatientContext> {
  return useAsync(loadPatientContext, []);
}

export function orgName(d: Directory | undefined, id: string): string {
  return d?.organizations.find((o) => o.id === id)?.name ?? id;
}

export function doctorOf(d: Directory | undefined, keyId: string): { name: string; org: string } | undefined {
  return d?.practitioners.find((p) => p.keyId === keyId);
}
