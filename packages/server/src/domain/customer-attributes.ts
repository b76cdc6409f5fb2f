import { attributeKeyPattern, limits, type CustomerAttributes } from '@frontdesk/protocol';

const keyPattern = new RegExp(attributeKeyPattern);

/**
 * The `attributes` claim of an identity token, cleaned to what the widget's schema accepts from a
 * body. Entries that do not fit are dropped, not refused: a customer must not be locked out by one
 * bad field of the shop's site. `__proto__` goes too (Fastify refuses it in bodies as well).
 * Undefined when the claim is not an object: then there are no attributes to replace.
 */
export function cleanAttributes(claim: unknown): CustomerAttributes | undefined {
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) return undefined;
  const kept = Object.entries(claim).filter(([key, value]) => key !== '__proto__' && keyPattern.test(key) && isAttributeValue(value));
  return Object.fromEntries(kept.slice(0, limits.attributesMax));
}

function isAttributeValue(value: unknown): boolean {
  if (typeof value === 'string') return [...value].length <= limits.attributeValueMaxChars;
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean';
}
