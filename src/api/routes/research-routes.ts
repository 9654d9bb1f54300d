/**
 * @module
 * The research export (researcher): de-identified OMOP CDM v5.4 tables over the patients who consented
 * to research, as JSON or as one table in CSV. Every patient included is an audited export event.
 */
import type { FastifyPluginAsync } from 'fastify';
import { omopToCsv } from '../../fhir/omop.ts';
import { OMOP_COLUMNS } from '../../fhir/omop-tables.ts';
import type { TableName } from '../../fhir/omop-tables.ts';
import { ArgumentValueError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import { errorResponses } from '../schemas.ts';

const TABLES = Object.keys(OMOP_COLUMNS) as TableName[];

export const researchRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { format?: 'json' | 'csv'; table?: TableName } }>(
    '/research/omop',
    {
      schema: {
        tags: ['research'],
        summary: 'De-identified OMOP CDM v5.4 export over research-consented patients (researcher)',
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: ['json', 'csv'] },
            table: { type: 'string', enum: TABLES },
          },
          additionalProperties: false,
        },
        response: { ...errorResponses },
      },
    },
    async (req, reply) => {
      const tables = await authOf(req, 'researcher').ledger.researchExport();
      if (req.query.format !== 'csv')
        return { tables, counts: Object.fromEntries(TABLES.map((t) => [t, tables[t].length])) };
      const table = req.query.table;
      if (!table) throw new ArgumentValueError('table', `is required for CSV (one of ${TABLES.join(', ')})`);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${table}.csv"`)
        .send(omopToCsv(tables)[table]);
    },
  );
};
