import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { stringify } from 'csv-stringify/sync';
import type { ReportFigures } from '@frontdesk/protocol';
import { StatsReportQuerySchema, StatsReportSchema } from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';
import { neutralise } from './contacts-csv.ts';

const security = [{ bearer: [] }];
const tags = ['statistics'];
const RANGE =
  '`from` and `to` are local days (`YYYY-MM-DD`, both included, at most 92 days) of `timezone` (IANA; default: the business ' +
  'hours’ zone, else UTC). Durations are nearest-rank percentiles in ms.';
const CSV_HEADER = [
  'row', 'key', 'name', 'inquiries', 'closed', 'answered',
  'first_response_p50_ms', 'first_response_p90_ms', 'first_response_p95_ms',
  'resolution_p50_ms', 'resolution_p90_ms', 'resolution_p95_ms', 'csat_count', 'csat_average',
];

const cells = (f: ReportFigures) =>
  [f.inquiries, f.closed, f.answered, f.firstResponseMs.p50, f.firstResponseMs.p90, f.firstResponseMs.p95, f.resolutionMs.p50, f.resolutionMs.p90, f.resolutionMs.p95].map((v) => (v === null ? '' : String(v)));

/** The statistics report and its CSV export (docs/statistics.md). */
export function statsReportRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof StatsReportQuerySchema> }>(
      '/stats/report',
      {
        schema: {
          tags,
          summary: 'Inquiries of a range of days: volume, first-response and resolution percentiles, CSAT; by day, agent and channel (owner, admin)',
          description: RANGE,
          security,
          querystring: StatsReportQuerySchema,
          response: { 200: StatsReportSchema, ...errorResponses },
        },
      },
      async (request) => services.statsReport.report(principalOf(request), request.query),
    );

    app.get<{ Querystring: Static<typeof StatsReportQuerySchema> }>(
      '/stats/report.csv',
      {
        schema: {
          tags,
          summary: 'The report of a range as CSV: a line per day, then per agent, then per channel, then the total (owner, admin)',
          description: `${RANGE} Cells a spreadsheet would run as a formula (starting with = + - @) are prefixed with '.`,
          security,
          querystring: StatsReportQuerySchema,
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const [report, names] = await Promise.all([services.statsReport.report(principal, request.query), services.statsReport.staffNames(principal)]);
        const lines = [
          ...report.days.map((d) => ['day', d.day, '', ...cells(d), '', '']),
          ...report.agents.map((a) => ['agent', a.staffId, names.get(a.staffId) ?? '', ...cells(a), String(a.csat.count), a.csat.average === null ? '' : String(a.csat.average)]),
          ...report.channels.map((c) => ['channel', c.channel, '', ...cells(c), '', '']),
          ['total', `${report.from}..${report.to}`, report.timezone, ...cells(report.totals), String(report.csat.count), report.csat.average === null ? '' : String(report.csat.average)],
        ];
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="statistics-${report.from}-${report.to}.csv"`)
          .send(stringify([CSV_HEADER, ...lines.map((line) => line.map(neutralise))]));
      },
    );
  };
}
