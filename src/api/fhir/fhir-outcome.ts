/**
 * @module
 * Errors on the FHIR API as OperationOutcome (http://hl7.org/fhir/R4/operationoutcome.html): a
 * validation failure keeps Medplum's issues with their FHIRPath expressions; every other registry
 * error becomes one issue with the R4 IssueType that fits its status, and our code in `details`.
 */
import type { FastifyRequest } from 'fastify';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { MedLedgerError } from '../../core/errors.ts';
import { FhirValidationError } from '../../core/errors.ts';

export const FHIR_PREFIX = '/fhir/R4';

export function isFhirRequest(req: FastifyRequest): boolean {
  return (
    req.url === FHIR_PREFIX || req.url.startsWith(`${FHIR_PREFIX}/`) || req.url.startsWith(`${FHIR_PREFIX}?`)
  );
}

const ISSUE_BY_STATUS: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  409: 'duplicate',
  410: 'deleted',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  429: 'throttled',
  503: 'transient',
};

export function outcomeOf(e: MedLedgerError): OperationOutcome {
  if (e instanceof FhirValidationError) return e.outcome as OperationOutcome;
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: (ISSUE_BY_STATUS[e.status] ?? 'exception') as 'exception',
        details: { coding: [{ system: 'urn:medledger:error', code: e.code }], text: e.message },
      },
    ],
  };
}
