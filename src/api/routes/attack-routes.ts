/**
 * @module
 * The attack lab over HTTP (admin, auditor): the latest saved report, its SVG charts, and a quick run
 * of selected scenarios. A run works on snapshots of this node's data directory (never its files) in
 * a worker thread, so the event loop keeps serving; one run at a time (a second request joins it).
 */
import type { FastifyPluginAsync } from 'fastify';
import { CHART_NAMES } from '../../attack/charts.ts';
import type { ChartName } from '../../attack/charts.ts';
import { runAttackLabInWorker } from '../../attack/lab-runner.ts';
import { loadReport, readChart, saveReport } from '../../attack/report-files.ts';
import { parseScenarios, SCENARIOS } from '../../attack/report.ts';
import type { LabOptions } from '../../attack/report.ts';
import { NotFoundError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { AttackReport } from '../contract/attack-lab.ts';
import { errorResponses } from '../schemas.ts';

export interface AttackRouteOptions {
  /** A run taking longer is stopped (default 60 s; quick runs take a few seconds). */
  readonly timeoutMs?: number;
  /** Scenario parameters over the quick defaults (tests use tiny ones). */
  readonly params?: LabOptions['params'];
}

const reportSchema = { type: 'object', additionalProperties: true } as const;
const ROLES = ['admin', 'auditor'] as const;

export function attackRoutes(ctx: ApiContext, opts: AttackRouteOptions = {}): FastifyPluginAsync {
  const dir = ctx.node.chain.dataDir;
  return async (app) => {
    app.get(
      '/attack-lab/report',
      {
        schema: {
          tags: ['attack-lab'],
          summary: 'The latest attack lab report (admin, auditor)',
          response: { 200: reportSchema, ...errorResponses },
        },
      },
      async (req): Promise<AttackReport> => {
        authOf(req, ...ROLES);
        const report = loadReport(dir);
        if (!report) throw new NotFoundError('attack lab report', 'latest');
        return report;
      },
    );

    app.get<{ Params: { name: ChartName } }>(
      '/attack-lab/charts/:name.svg',
      {
        schema: {
          tags: ['attack-lab'],
          summary: 'A chart of the latest report as SVG (admin, auditor)',
          params: {
            type: 'object',
            properties: { name: { type: 'string', enum: CHART_NAMES } },
            required: ['name'],
          },
          response: { ...errorResponses },
        },
      },
      async (req, reply) => {
        authOf(req, ...ROLES);
        const svg = readChart(dir, req.params.name);
        if (svg === undefined) throw new NotFoundError('attack lab chart', req.params.name);
        return reply.type('image/svg+xml; charset=utf-8').send(svg);
      },
    );

    app.post<{ Body: { scenarios: string[]; quick?: true } }>(
      '/attack-lab/run',
      {
        schema: {
          tags: ['attack-lab'],
          summary:
            'Run attack lab scenarios (quick versions) on snapshots of this node; saves and returns the report (admin, auditor)',
          body: {
            type: 'object',
            properties: {
              scenarios: {
                type: 'array',
                items: { type: 'string', enum: [...SCENARIOS, 'all'] },
                minItems: 1,
                maxItems: SCENARIOS.length + 1,
              },
              quick: { type: 'boolean', enum: [true], description: 'Only quick runs are offered over HTTP.' },
            },
            required: ['scenarios'],
            additionalProperties: false,
          },
          response: { 200: reportSchema, ...errorResponses },
        },
      },
      async (req): Promise<AttackReport> => {
        authOf(req, ...ROLES);
        const report = await runAttackLabInWorker(
          {
            scenarios: parseScenarios(req.body.scenarios),
            quick: true,
            dataDir: dir,
            ...(opts.params ? { params: opts.params } : {}),
          },
          opts.timeoutMs,
        );
        return saveReport(dir, report).report;
      },
    );
  };
}
