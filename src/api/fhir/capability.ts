/**
 * @module
 * The server's CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html): FHIR 4.0.1,
 * JSON, bearer tokens, and per resource type the interactions and search parameters implemented.
 */
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { RECORD_TYPES } from '../../fhir/validate.ts';

export function capabilityStatement(now: number): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date(now).toISOString(),
    kind: 'instance',
    software: { name: 'MedLedger', version: '0.1.0' },
    implementation: { description: 'MedLedger node: FHIR R4 over a tamper-evident, consented ledger' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' },
              ],
              text: 'Bearer token',
            },
          ],
          description: 'Authorization: Bearer <session token or personal API token>',
        },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: [...RECORD_TYPES].map((type) => ({
          type,
          interaction: [
            { code: 'create' },
            { code: 'read' },
            { code: 'vread' },
            { code: 'history-instance' },
            { code: 'search-type' },
          ],
          versioning: 'versioned',
          readHistory: true,
          updateCreate: false,
          searchParam: [
            { name: '_id', type: 'token' },
            ...(type === 'Patient' ? [] : [{ name: 'patient', type: 'reference' as const }]),
            { name: 'code', type: 'token' },
            { name: 'date', type: 'date' },
          ],
        })),
      },
    ],
  };
}
