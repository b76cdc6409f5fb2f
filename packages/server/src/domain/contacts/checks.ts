import type { Store } from '../ports.ts';
import { fail } from '../errors.ts';

/** Every one of `ids` is a label of the shop; else LABEL_NOT_FOUND (another shop's look the same). */
export async function requireLabels(store: Store, shopId: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if ((await store.labels.findMany(shopId, unique)).length !== unique.length) fail('LABEL_NOT_FOUND');
}

/** Trimmed, as names and notes are stored; only spaces is empty. */
export function nonBlank(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') fail('VALIDATION_FAILED', `"${field}" is empty.`);
  return trimmed;
}
