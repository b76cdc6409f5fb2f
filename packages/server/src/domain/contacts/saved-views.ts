import type { InboxFilter } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import type { SavedViewRecord } from './ports.ts';
import { nonBlank } from './checks.ts';

/** Enough for any agent's tabs, few enough to send whole. */
export const SAVED_VIEWS_MAX = 50;

/** An agent's saved inbox filters: each belongs to one staff member, and nobody else sees or changes it. */
export function createSavedViews({ store, now }: DomainDeps) {
  return {
    async list(principal: Principal): Promise<SavedViewRecord[]> {
      const staff = requireRole(principal, 'agent');
      return store.savedViews.list(staff.shopId, staff.id);
    },

    async create(principal: Principal, body: { name: string; filters: InboxFilter }): Promise<SavedViewRecord> {
      const staff = requireRole(principal, 'agent');
      if ((await store.savedViews.count(staff.shopId, staff.id)) >= SAVED_VIEWS_MAX) fail('VALIDATION_FAILED', `At most ${SAVED_VIEWS_MAX} saved views per person.`);
      const view = { id: newId(), shopId: staff.shopId, staffId: staff.id, name: nonBlank(body.name, 'name'), filters: body.filters, createdAt: now() };
      await store.savedViews.create(view);
      return view;
    },

    async update(principal: Principal, id: string, patch: { name?: string; filters?: InboxFilter }): Promise<SavedViewRecord> {
      const staff = requireRole(principal, 'agent');
      const change = { ...(patch.name !== undefined && { name: nonBlank(patch.name, 'name') }), ...(patch.filters !== undefined && { filters: patch.filters }) };
      if (!(await store.savedViews.update(staff.shopId, staff.id, id, change, now()))) fail('VIEW_NOT_FOUND');
      const view = await store.savedViews.find(staff.shopId, staff.id, id);
      if (!view) fail('VIEW_NOT_FOUND');
      return view;
    },

    async remove(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'agent');
      if (!(await store.savedViews.delete(staff.shopId, staff.id, id))) fail('VIEW_NOT_FOUND');
    },
  };
}
