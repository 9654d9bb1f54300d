/**
 * @module
 * The server's CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html): FHIR 4.0.1,
 * JSON, bearer tokens, and per resource type the interactions and search parameters implemented,
 * with the ledger's own rules stated where they differ from a plain FHIR server (updates are
 * amendments, nothing is deleted, a search names a patient).
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import { CODE_PATHS, DATE_PATHS } from '../../fhir/clinical-date.ts';
import { inPatientCompartment } from '../../fhir/patient-ref.ts';
import { RECORD_TYPES } from '../../fhir/validate.ts';
import type { RecordType } from '../../fhir/validate.ts';
import { DEFAULT_COUNT, MAX_COUNT } from './fhir-http.ts';

const REST_DOC = [
  'MedLedger keeps FHIR resources as encrypted records on a permissioned ledger. Every read is decided by the patient’s consents and the organization policy and logged on the ledger (see AuditEvent).',
  'Search names a patient (patient=ID, subject=Patient/ID, or Patient/ID/[type]) or _id: records are kept and audited per patient, so a search without one is refused with 400.',
  `Paging: _count (default ${String(DEFAULT_COUNT)}, at most ${String(MAX_COUNT)}) and _offset; follow the next link. A patient with more than 10,000 records is searched a window at a time: the next link carries _cursor and the Bundle has no total.`,
  'Headers: X-Purpose-Of-Use (TREAT, HRESCH, HPAYMT, ETREAT) sets the purpose of a read; X-Break-Glass-Reason (at least 10 characters) reads without consent in an emergency, audited and shown to the patient.',
  'Records are never deleted (DELETE is 405): erasure is a patient request an admin approves on the native API.',
].join(' ');

const AMEND_DOC =
  'update (PUT) is an amendment: an append-only correction. Every version stays readable (vread, _history). A PUT to an id that does not exist creates it.';

function param(
  name: string,
  type: CapabilityStatementRestResourceSearchParam['type'],
  documentation: string,
): CapabilityStatementRestResourceSearchParam {
  return { name, type, documentation };
}

function recordResource(type: RecordType): CapabilityStatementRestResource {
  const searchParam = [
    param('_id', 'token', 'Logical id(s), comma separated'),
    ...(inPatientCompartment(type)
      ? [
          param('patient', 'reference', 'The patient whose records are searched (ID or Patient/ID)'),
          param('subject', 'reference', 'Same as patient; only Patient/ID'),
        ]
      : []),
    ...(CODE_PATHS[type].length > 0
      ? [param('code', 'token', `system|code, code, |code or system| on ${CODE_PATHS[type].join(', ')}`)]
      : []),
    ...(DATE_PATHS[type].length > 0
      ? [param('date', 'date', `eq, ne, gt, lt, ge, le, sa, eb on ${DATE_PATHS[type].join(', ')}`)]
      : []),
  ];
  return {
    type,
    documentation: AMEND_DOC,
    interaction: [
      { code: 'create' },
      { code: 'read' },
      { code: 'vread' },
      { code: 'update', documentation: AMEND_DOC },
      { code: 'history-instance' },
      { code: 'search-type' },
    ],
    versioning: 'versioned',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam,
    ...(type === 'Patient'
      ? {
          operation: [
            {
              name: 'everything',
              definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
              documentation: 'Parameters _type, start, end, _count, _offset',
            },
          ],
        }
      : {}),
  };
}

const CONSENT: CapabilityStatementRestResource = {
  type: 'Consent',
  documentation:
    'A patient grants access with POST (one permit provision: actor Organization/[id] or Practitioner/[key id], purpose v3-ActReason TREAT/HRESCH/HPAYMT/ETREAT, period.end required, class = resource types, dataPeriod = clinical dates) and revokes it with DELETE, or PUT with status inactive.',
  interaction: [
    { code: 'create' },
    { code: 'read' },
    { code: 'search-type' },
    { code: 'update', documentation: 'Only status inactive (a revocation)' },
    { code: 'delete', documentation: 'Revokes the consent; it stays on the ledger as revoked' },
  ],
  versioning: 'versioned',
  searchParam: [
    param('patient', 'reference', 'Patient/ID'),
    param('status', 'token', 'active or inactive'),
    param('_id', 'token', 'The consent id (its ledger transaction id)'),
  ],
};

const AUDIT_EVENT: CapabilityStatementRestResource = {
  type: 'AuditEvent',
  documentation:
    'The ledger access log: a patient sees their own; auditors and admins anyone’s. Newest first.',
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  searchParam: [
    param('patient', 'reference', 'The patient whose access log is read'),
    param('date', 'date', 'Time recorded'),
  ],
};

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
        documentation: REST_DOC,
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
        interaction: [
          { code: 'transaction', documentation: 'All entries are validated before any is written' },
          { code: 'batch', documentation: 'Each entry is answered on its own' },
        ],
        resource: [...RECORD_TYPES.map(recordResource), CONSENT, AUDIT_EVENT],
      },
    ],
  };
}
