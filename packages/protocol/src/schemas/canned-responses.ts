import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Time } from './atoms.ts';

/** A shop's reply template, inserted in the console's composer by its shortcut. */
export const CannedResponseSchema = Type.Object({
  id: Id,
  /** `[a-z0-9][a-z0-9_-]{0,31}`, unique in the shop. */
  shortcut: Type.String(),
  title: Type.String(),
  text: Type.String(),
  /** The staff member who created it. */
  createdBy: Id,
  createdAt: Time,
  updatedAt: Time,
});
export type CannedResponse = Wire<typeof CannedResponseSchema>;
