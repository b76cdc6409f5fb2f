import { Ajv } from 'ajv';
import type { ClientFrame } from '@frontdesk/protocol';
import { ClientFrameSchema, clientFrameTypes, findUnsafeInput } from '@frontdesk/protocol/schemas';
import { AppError } from '../../domain/errors.ts';

/** Client frames, validated against the protocol's schema as strictly as HTTP bodies: no coercion, no unknown fields. */
const validate = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false, strict: false }).compile(ClientFrameSchema);

const KNOWN = new Set<string>(clientFrameTypes);

/** Text → a typed frame, or an AppError that says what is wrong. Never throws anything else. */
export function parseClientFrame(text: string): ClientFrame | AppError {
  const value = readJson(text);
  return value instanceof AppError ? value : validateClientFrame(value);
}

/** A /ws frame's text as a value; goim's packets arrive as values already (channels/goim). */
export function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new AppError('INVALID_JSON', 'The frame is not valid JSON.');
  }
}

/** A value that claims to be a client frame → the typed frame, or an AppError that says what is wrong. */
export function validateClientFrame(value: unknown): ClientFrame | AppError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new AppError('VALIDATION_FAILED', 'A frame is a JSON object with a "type".');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN.has(type)) {
    return new AppError('VALIDATION_FAILED', `Unknown frame type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}.`);
  }
  const unsafe = findUnsafeInput(value, type);
  if (unsafe !== undefined) return new AppError('VALIDATION_FAILED', `Invalid "${type}" frame.`, [unsafe]);
  if (!validate(value)) {
    const details = (validate.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? 'is invalid'}`);
    return new AppError('VALIDATION_FAILED', `Invalid "${type}" frame.`, details);
  }
  return value as ClientFrame;
}

/** The echo id and clientMsgId of a frame that failed validation, where they are usable. */
export function echoOf(value: unknown): { id?: string | number; clientMsgId?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const { id, clientMsgId } = value as { id?: unknown; clientMsgId?: unknown };
  return {
    ...(((typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id))) && { id: id as string | number }),
    ...(typeof clientMsgId === 'string' && clientMsgId.length <= 64 && !clientMsgId.includes('\u0000') && { clientMsgId }),
  };
}
