import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { limits, type ClientFrame } from '@frontdesk/protocol';
import { AppError } from '../domain/errors.ts';
import { Id } from '../http/schemas.ts';

/** Client frames, validated as strictly as HTTP bodies: no coercion, no unknown fields. */
const RequestId = Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 })]);
const Seq = Type.Integer({ minimum: 0, maximum: 2147483647 });
const frame = <T extends TProperties>(type: string, fields: T) =>
  Type.Object({ type: Type.Literal(type), id: Type.Optional(RequestId), ...fields }, { additionalProperties: false });

const ClientFrameSchema = Type.Union([
  frame('auth', { token: Type.String({ minLength: 1, maxLength: 200 }) }),
  frame('ping', {}),
  frame('send', {
    conversationId: Id,
    clientMsgId: Type.String({ minLength: 1, maxLength: limits.clientMsgIdMaxChars, pattern: '^[A-Za-z0-9._:-]+$' }),
    contentType: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('image'), Type.Literal('file')])),
    text: Type.Optional(Type.String({ maxLength: limits.textMaxChars })),
    attachmentId: Type.Optional(Id),
    visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('internal')])),
  }),
  frame('read', { conversationId: Id, seq: Seq }),
  frame('typing', { conversationId: Id }),
  frame('sync', { token: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
  frame('history', {
    conversationId: Id,
    beforeSeq: Type.Optional(Seq),
    afterSeq: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageMax })),
  }),
  frame('presence', { status: Type.Union([Type.Literal('online'), Type.Literal('away')]) }),
]);

const validate = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false, strict: false }).compile<Static<typeof ClientFrameSchema>>(
  ClientFrameSchema,
);

const KNOWN = new Set(['auth', 'ping', 'send', 'read', 'typing', 'sync', 'history', 'presence']);

/** Text → a typed frame, or an AppError that says what is wrong. Never throws anything else. */
export function parseClientFrame(text: string): ClientFrame | AppError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new AppError('INVALID_JSON', 'The frame is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new AppError('VALIDATION_FAILED', 'A frame is a JSON object with a "type".');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN.has(type)) {
    return new AppError('VALIDATION_FAILED', `Unknown frame type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}.`);
  }
  if (containsNul(value)) return new AppError('VALIDATION_FAILED', 'Frames must not contain NUL characters.');
  if (!validate(value)) {
    const details = (validate.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? 'is invalid'}`);
    return new AppError('VALIDATION_FAILED', `Invalid "${type}" frame.`, details);
  }
  return value as ClientFrame;
}

/** The echo id and clientMsgId of a frame that failed validation, where they are usable. */
export function echoOf(text: string): { id?: string | number; clientMsgId?: string } {
  let frame: { id?: unknown; clientMsgId?: unknown };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    return {};
  }
  if (typeof frame !== 'object' || frame === null) return {};
  const { id, clientMsgId } = frame;
  return {
    ...(((typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id))) && { id: id as string | number }),
    ...(typeof clientMsgId === 'string' && clientMsgId.length <= 64 && !clientMsgId.includes('\u0000') && { clientMsgId }),
  };
}

function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
