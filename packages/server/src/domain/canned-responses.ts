import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import type { CannedResponsePatch } from './ports.ts';
import type { CannedResponseRecord, Principal } from './records.ts';
import { requireRole } from './staff.ts';

export interface CannedResponseInput {
  readonly shortcut: string;
  readonly title: string;
  readonly text: string;
}

/** The composer lists them as the agent types: enough for any shop, small enough to send whole. */
const LIST_MAX = 200;

/** A shop's reply templates: every staff member uses them, owners and admins write them. */
export function createCannedResponses({ store, now }: DomainDeps) {
  return {
    async list(principal: Principal, match: string | undefined): Promise<CannedResponseRecord[]> {
      const staff = requireRole(principal, 'agent');
      const q = match?.trim();
      return store.cannedResponses.list(staff.shopId, q === '' ? undefined : q, LIST_MAX);
    },

    async create(principal: Principal, input: CannedResponseInput): Promise<CannedResponseRecord> {
      const staff = requireRole(principal, 'admin');
      const at = now();
      const response: CannedResponseRecord = {
        id: newId(),
        shopId: staff.shopId,
        shortcut: input.shortcut,
        title: nonBlank(input.title, 'title'),
        text: nonBlank(input.text, 'text'),
        createdBy: staff.id,
        createdAt: at,
        updatedAt: at,
      };
      await store.cannedResponses.create(response);
      return response;
    },

    async update(principal: Principal, id: string, patch: Partial<CannedResponseInput>): Promise<CannedResponseRecord> {
      const staff = requireRole(principal, 'admin');
      const change: CannedResponsePatch = {
        ...(patch.shortcut !== undefined && { shortcut: patch.shortcut }),
        ...(patch.title !== undefined && { title: nonBlank(patch.title, 'title') }),
        ...(patch.text !== undefined && { text: nonBlank(patch.text, 'text') }),
      };
      if (!(await store.cannedResponses.update(staff.shopId, id, change, now()))) fail('CANNED_RESPONSE_NOT_FOUND');
      const updated = await store.cannedResponses.find(staff.shopId, id);
      if (!updated) fail('CANNED_RESPONSE_NOT_FOUND');
      return updated;
    },

    async remove(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'admin');
      if (!(await store.cannedResponses.delete(staff.shopId, id))) fail('CANNED_RESPONSE_NOT_FOUND');
    },
  };
}

/** Trimmed, as sent messages are; only spaces is empty. */
function nonBlank(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') fail('VALIDATION_FAILED', `"${field}" is empty.`);
  return trimmed;
}
