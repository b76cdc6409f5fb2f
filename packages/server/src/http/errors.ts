import type { FastifyError } from 'fastify';
import { errorCatalogue, type ErrorCode } from '@frontdesk/protocol';
import { AppError } from '../domain/errors.ts';
import { isStorageUnavailable } from '../storage/unavailable.ts';

export interface Mapped {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
}

type Validation = NonNullable<FastifyError['validation']>;

/**
 * One line per problem. A value outside a set of literals (`"fr"` for en | zh-CN) fails each literal
 * and then their union: that is said once, naming the set ("body/locale must be one of "en", "zh-CN"").
 */
function validationDetails(context: string, errors: Validation): string[] {
  const allowed = new Map<string, unknown[]>();
  for (const v of errors) if (v.keyword === 'const') allowed.set(v.instancePath, [...(allowed.get(v.instancePath) ?? []), (v.params as { allowedValue?: unknown }).allowedValue]);
  const named = new Set<string>();
  const lines: string[] = [];
  for (const v of errors) {
    const where = `${context}${v.instancePath}`;
    const set = allowed.get(v.instancePath);
    if (set && (v.keyword === 'const' || v.keyword === 'anyOf')) {
      if (v.keyword === 'anyOf' && !named.has(v.instancePath)) lines.push(`${where} must be one of ${set.map((value) => JSON.stringify(value)).join(', ')}`);
      if (v.keyword === 'anyOf') named.add(v.instancePath);
      continue;
    }
    lines.push(`${where} ${v.message ?? 'is invalid'}`.trim());
  }
  return lines;
}

/** Every failure a request can meet, mapped onto the catalogue. */
export function toAppError(error: FastifyError): Mapped {
  if (error instanceof AppError) return { code: error.code, message: error.message, ...(error.details && { details: error.details }) };
  if (error.validation) {
    return { code: 'VALIDATION_FAILED', message: errorCatalogue.VALIDATION_FAILED.message, details: validationDetails(error.validationContext ?? 'body', error.validation) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: errorCatalogue.PAYLOAD_TOO_LARGE.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: errorCatalogue.UNSUPPORTED_MEDIA_TYPE.message };
  }
  if (isStorageUnavailable(error)) return { code: 'STORAGE_UNAVAILABLE', message: errorCatalogue.STORAGE_UNAVAILABLE.message };
  const status = error.statusCode ?? 500;
  if (status === 429) return { code: 'RATE_LIMITED', message: errorCatalogue.RATE_LIMITED.message };
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: errorCatalogue.PAYLOAD_TOO_LARGE.message };
  if (status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message: errorCatalogue.UNSUPPORTED_MEDIA_TYPE.message };
  // Malformed JSON, empty JSON bodies, bad Content-Length: the body is unusable.
  if (status === 400 && (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError)) {
    return { code: 'INVALID_JSON', message: errorCatalogue.INVALID_JSON.message };
  }
  if (status >= 400 && status < 500) return { code: 'VALIDATION_FAILED', message: errorCatalogue.VALIDATION_FAILED.message };
  return { code: 'INTERNAL', message: errorCatalogue.INTERNAL.message };
}
