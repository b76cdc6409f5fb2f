import type { ListPosition } from './ports.ts';
import { fail } from './errors.ts';
import { isId } from './ids.ts';

/** Opaque keyset cursors for lists sorted by last activity. */
export function encodeCursor(position: ListPosition): string {
  const tuple = position.priority === undefined ? [position.lastActivityAt, position.id] : [position.lastActivityAt, position.id, position.priority];
  return Buffer.from(JSON.stringify(tuple)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): ListPosition | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && isId(value[1])) {
      return { lastActivityAt: value[0] as number, id: value[1] };
    }
    // Lists sorted by priority (domain/inbox/triage.ts) carry it too.
    if (Array.isArray(value) && value.length === 3 && Number.isSafeInteger(value[0]) && isId(value[1]) && Number.isSafeInteger(value[2])) {
      return { lastActivityAt: value[0] as number, id: value[1], priority: value[2] as number };
    }
  } catch {
    // fall through to the error below
  }
  return fail('INVALID_CURSOR');
}
