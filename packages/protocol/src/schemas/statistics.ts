import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Nullable, Time } from './atoms.ts';

const Ms = Nullable(Type.Integer({ minimum: 0 }));

/** Nearest-rank percentiles of durations, ms; null when there is none. */
export const PercentilesSchema = Type.Object({ p50: Ms, p90: Ms, p95: Ms });
export type Percentiles = Wire<typeof PercentilesSchema>;

const figures = {
  /** Inquiries created in the range. */
  inquiries: Type.Integer(),
  /** Of those, closed now. */
  closed: Type.Integer(),
  /** Of those, with a public staff answer. */
  answered: Type.Integer(),
  /** From the inquiry's creation to the first public staff answer. */
  firstResponseMs: PercentilesSchema,
  /** From the inquiry's creation to its close. */
  resolutionMs: PercentilesSchema,
};

export const CsatSummarySchema = Type.Object({
  count: Type.Integer(),
  /** Mean rating, two decimals; null without ratings. */
  average: Nullable(Type.Number()),
});

export const ReportFiguresSchema = Type.Object(figures);
export type ReportFigures = Wire<typeof ReportFiguresSchema>;

export const ReportDaySchema = Type.Object({ day: Type.String({ format: 'date' }), ...figures });
export type ReportDay = Wire<typeof ReportDaySchema>;

export const ReportAgentSchema = Type.Object({ staffId: Id, ...figures, csat: CsatSummarySchema });
export type ReportAgent = Wire<typeof ReportAgentSchema>;

export const ReportChannelSchema = Type.Object({ channel: Type.String(), ...figures });
export type ReportChannel = Wire<typeof ReportChannelSchema>;

export const CsatCommentSchema = Type.Object({
  inquiryId: Id,
  conversationId: Id,
  agentId: Nullable(Id),
  rating: Type.Integer(),
  comment: Type.String(),
  submittedAt: Time,
});
export type CsatComment = Wire<typeof CsatCommentSchema>;

/** GET /api/v1/stats/report: inquiries created in a range of local days, and the ratings given in it. */
export const StatsReportSchema = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  timezone: Type.String(),
  totals: ReportFiguresSchema,
  days: Type.Array(ReportDaySchema),
  /** Agents who held an inquiry of the range or were rated in it; unassigned inquiries are in no row. */
  agents: Type.Array(ReportAgentSchema),
  channels: Type.Array(ReportChannelSchema),
  csat: Type.Object({
    ...CsatSummarySchema.properties,
    /** How many ratings of 1, 2, 3, 4 and 5. */
    distribution: Type.Array(Type.Integer(), { minItems: 5, maxItems: 5 }),
    /** The latest comments (at most 50), newest first. */
    comments: Type.Array(CsatCommentSchema),
  }),
});
export type StatsReport = Wire<typeof StatsReportSchema>;

/** The range of GET /api/v1/stats/report and /stats/report.csv. */
export const StatsReportQuerySchema = Type.Object(
  {
    /** First local day, included. */
    from: Type.String({ format: 'date' }),
    /** Last local day, included; at most 92 days after `from`. */
    to: Type.String({ format: 'date' }),
    /** IANA time zone the days are cut in; default: the business hours' zone, else UTC. */
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$' })),
  },
  { additionalProperties: false },
);
export type StatsReportQuery = Wire<typeof StatsReportQuerySchema>;
