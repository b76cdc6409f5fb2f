import type { ContactListQuery } from '@frontdesk/protocol';
import { fail } from '../errors.ts';
import type { ContactFilter } from './ports.ts';

/** The list's query as the store's filter; `attribute` is `key:value`, the value compared as JSON. */
export function contactFilter(query: Omit<ContactListQuery, 'sort' | 'order' | 'cursor' | 'limit'>): ContactFilter {
  const q = query.q?.trim();
  let attribute: ContactFilter['attribute'];
  if (query.attribute !== undefined) {
    const at = query.attribute.indexOf(':');
    const key = query.attribute.slice(0, at);
    const raw = query.attribute.slice(at + 1);
    attribute = { key, json: attributeJson(raw) };
  }
  if (query.seenAfter !== undefined && query.seenBefore !== undefined && Date.parse(query.seenAfter) >= Date.parse(query.seenBefore)) {
    fail('VALIDATION_FAILED', '"seenAfter" must be before "seenBefore".');
  }
  return {
    ...(q !== undefined && q !== '' && { q }),
    ...(query.labelId !== undefined && { labelId: query.labelId }),
    ...(attribute !== undefined && { attribute }),
    ...(query.channel !== undefined && { channel: query.channel }),
    ...(query.seenAfter !== undefined && { seenAfter: Date.parse(query.seenAfter) }),
    ...(query.seenBefore !== undefined && { seenBefore: Date.parse(query.seenBefore) }),
    ...(query.optedOut !== undefined && { optedOut: query.optedOut }),
  };
}

/** `3`, `true`, `false` are the number and booleans (as an import reads them); anything else is the text itself. */
function attributeJson(raw: string): string {
  return JSON.stringify(attributeValue(raw));
}

/** `true`/`false` and numbers written canonically (`3`, `-1.5`, not `007`) are typed; the rest is text. */
export function attributeValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && String(n) === text ? n : text;
}

