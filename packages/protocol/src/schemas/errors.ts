import { Type } from '@sinclair/typebox';
import { errorCodes } from '../errors.ts';
import type { Wire } from '../wire.ts';

/** A code of the catalogue (errors.ts, where its HTTP status and close code are). */
export const ErrorCodeSchema = Type.Union(errorCodes.map((code) => Type.Literal(code)));

/** The body of every error response. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: ErrorCodeSchema,
    message: Type.String(),
    /** Field-level detail for VALIDATION_FAILED. */
    details: Type.Optional(Type.Array(Type.String())),
  }),
});
export type ErrorBody = Wire<typeof ErrorBodySchema>;
