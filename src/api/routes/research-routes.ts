/**
 * @module
 * The research export (researcher): de-identified OMOP CDM v5.4 tables over the patients who consented
 * to research, as JSON or as one table in CSV. Every patient included is an audited export event.
 * CSV streams, one patient at a time; JSON is one document held whole, so it is refused for a cohort of
 * more records than `ServerOptions.researchJsonMax`.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { omopCsvHeader, omopCsvLines } from '../../fhir/omop.ts';
import { OMOP_COLUMNS } from '../../fhir/omop-tables.ts';
import type { OmopTables, TableName } from '../../fhir/omop-tables.ts';
import type { RequestScope } from '../../medical/facade.ts';
import { ArgumentValueError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { OmopExport } from '../contract/research.ts';
import { errorResponses } from '../schemas.ts';

const TABLES = Object.keys(OMOP_COLUMNS) as TableName[];

async function* csvOf(scope: RequestScope, table: TableName): AsyncGenerator<string> {
  yield omopCsvHeader(table);
  for await (const rows of scope.researchExport()) {
    const text = omopCsvLines(rows, table);
    if (text) yield text;
  }
}

async function jsonOf(scope: RequestScope, max: number): Promise<OmopTables> {
  const count = scope.researchRecordCount();
  if (count > max)
    throw new ArgumentValueError(
      'format',
      `the cohort holds ${String(count)} records, more than one JSON answer holds (${String(max)}): ask format=csv&table=<name> for each table`,
    );
  const tables = Object.fromEntries(TABLES.map((t) => [t, [] as unknown[]])) as Record<TableName, unknown[]>;
  for await (const rows of scope.researchExport())
    for (const t of TABLES) for (const row of rows[t]) tables[t].push(row);
  return tables as unknown as OmopTables;
}

export const researchRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
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
        const { scope } = authOf(req, 'researcher');
        if (req.query.format !== 'csv') {
          const tables = await jsonOf(scope, ctx.researchJsonMax);
          const counts = Object.fromEntries(TABLES.map((t) => [t, tables[t].length])) as Record<
            TableName,
            number
          >;
          return { tables, counts } satisfies OmopExport;
        }
        const table = req.query.table;
        if (!table)
          throw new ArgumentValueError('table', `is required for CSV (one of ${TABLES.join(', ')})`);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${table}.csv"`)
          .send(Readable.from(csvOf(scope, table)));
      },
    );
  };
