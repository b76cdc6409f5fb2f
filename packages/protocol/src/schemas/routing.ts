import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Nullable, PresenceSchema, StaffRoleSchema } from './atoms.ts';

/** A staff member as routing sees them (GET /api/v1/agents). */
export const AgentSchema = Type.Object({
  staffId: Id,
  name: Type.String(),
  role: StaffRoleSchema,
  presence: PresenceSchema,
  openInquiries: Type.Integer(),
  /** The capacity in force: the staff member's own, else the shop's default; 0 = unlimited. */
  capacity: Type.Integer(),
});
export type Agent = Wire<typeof AgentSchema>;

/** Reception statistics of one agent over a period (GET /api/v1/stats/agents). */
export const AgentStatisticsSchema = Type.Object({
  staffId: Id,
  /** Inquiries opened in the period and assigned to this agent at the end. */
  inquiries: Type.Integer(),
  closed: Type.Integer(),
  /** Mean time from the customer's first message to the first staff answer, ms. */
  avgFirstResponseMs: Nullable(Type.Integer()),
  /** Mean time from assignment to close, ms. */
  avgHandlingMs: Nullable(Type.Integer()),
});
export type AgentStatistics = Wire<typeof AgentStatisticsSchema>;

/** One local day of GET /api/v1/stats/daily: the inquiries created on it. */
export const DayStatisticsSchema = Type.Object({
  /** `YYYY-MM-DD` in the requested UTC offset. */
  day: Type.String({ format: 'date' }),
  inquiries: Type.Integer(),
  /** Of those, closed now. */
  closed: Type.Integer(),
  /** Of those, with a public staff answer. */
  answered: Type.Integer(),
  /** Median time from the inquiry's creation to the first public staff answer, ms; null when none was answered. */
  medianFirstResponseMs: Nullable(Type.Integer()),
  /** The inquiries by the channel their customer wrote from (`web`, `wechat`, `email`, …); channels without any are left out. */
  byChannel: Type.Record(Type.String(), Type.Integer()),
});
export type DayStatistics = Wire<typeof DayStatisticsSchema>;
