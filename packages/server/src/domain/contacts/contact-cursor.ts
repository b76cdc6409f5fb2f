import { fail } from '../errors.ts';
import { isId } from '../ids.ts';
import type { ContactOrder, ContactPosition } from './ports.ts';

/**
 * Opaque keyset cursors of the contact list: the order they were made for, the last contact's sort
 * key and id. A contact added meanwhile lands before or after the position and never shifts a page.
 * A cursor of another order (or made up) is INVALID_CURSOR, never a page of something else.
 */
export function encodeContactCursor(order: ContactOrder, position: ContactPosition): string {
  return Buffer.from(JSON.stringify([order.sort, order.order, position.key, position.id])).toString('base64url');
}

export function decodeContactCursor(cursor: string | undefined, order: ContactOrder): ContactPosition | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 4 && value[0] === order.sort && value[1] === order.order && isId(value[3])) {
      const key: unknown = value[2];
      const fits = order.sort === 'name' ? typeof key === 'string' && key.length <= 240 : Number.isSafeInteger(key);
      if (fits) return { key: key as string | number, id: value[3] as string };
    }
  } catch {
    // fall through to the error below
  }
  return fail('INVALID_CURSOR');
}
