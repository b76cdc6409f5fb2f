import { limits, type Channel, type ContactListQuery, type ContactPatchBody, type CustomerAttributes } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ConversationRecord, InquiryRecord, Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import { decodeContactCursor, encodeContactCursor } from './contact-cursor.ts';
import { contactFilter } from './contact-filter.ts';
import { nonBlank, requireLabels } from './checks.ts';
import type { ContactOrder, ContactRecord, NoteRecord } from './ports.ts';

/** The contact page shows recent inquiries; older ones stay in the conversation's timeline. */
const INQUIRIES_SHOWN = 100;

export interface ContactPage {
  readonly items: readonly ContactRecord[];
  readonly nextCursor: string | null;
}

export interface ContactDetails {
  readonly contact: ContactRecord;
  readonly notes: readonly NoteRecord[];
  readonly conversation: ConversationRecord | null;
  readonly inquiries: readonly InquiryRecord[];
}

/**
 * A shop's contacts (docs/contacts.md): the customers it dealt with, or imported. A contact exists
 * in a shop iff its contacts row does; every read and write here goes through that row, so another
 * shop's customer (a platform customer included) is "not found" and its labels, notes and opt-out
 * stay with the shop that made them.
 */
export function createContacts({ store, now }: DomainDeps) {
  async function contactOf(shopId: string, customerId: string): Promise<ContactRecord> {
    const contact = await store.contacts.find(shopId, customerId);
    if (!contact) fail('CUSTOMER_NOT_FOUND');
    return contact;
  }

  return {
    async list(principal: Principal, query: ContactListQuery): Promise<ContactPage> {
      const staff = requireRole(principal, 'agent');
      const order: ContactOrder = { sort: query.sort ?? 'lastSeen', order: query.order ?? 'desc' };
      const after = decodeContactCursor(query.cursor, order);
      const limit = Math.min(query.limit ?? limits.pageDefault, limits.pageMax);
      const rows = await store.contacts.list(staff.shopId, contactFilter(query), order, after, limit + 1);
      const items = rows.slice(0, limit);
      const last = rows.length > limit ? items.at(-1) : undefined;
      return { items, nextCursor: last ? encodeContactCursor(order, { key: last.sortKey, id: last.customer.id }) : null };
    },

    async details(principal: Principal, customerId: string): Promise<ContactDetails> {
      const staff = requireRole(principal, 'agent');
      const contact = await contactOf(staff.shopId, customerId);
      const [notes, conversation, inquiries] = await Promise.all([
        store.contacts.notes(staff.shopId, customerId),
        contact.conversationId === null ? undefined : store.conversations.find(contact.conversationId),
        store.customers.inquiries(staff.shopId, customerId, INQUIRIES_SHOWN),
      ]);
      return { contact, notes, conversation: conversation ?? null, inquiries };
    },

    /**
     * Name, e-mail and attributes live on the customer. A platform customer's come from their
     * platform identity and are shared by every shop, so a shop may change only its own opt-out.
     */
    async update(principal: Principal, customerId: string, patch: ContactPatchBody): Promise<ContactRecord> {
      const staff = requireRole(principal, 'agent');
      const contact = await contactOf(staff.shopId, customerId);
      const profile = patch.name !== undefined || patch.email !== undefined || patch.attributes !== undefined;
      if (profile && contact.customer.kind === 'platform') fail('FORBIDDEN', "A platform customer's name, e-mail and attributes come from their platform identity.");
      const at = now();
      if (patch.name !== undefined || patch.email !== undefined) {
        const name = patch.name?.trim();
        if (name === '') fail('VALIDATION_FAILED', '"name" is empty.');
        await store.customers.updateProfile(staff.shopId, customerId, { ...(name !== undefined && { name }), ...(patch.email !== undefined && { email: patch.email }) }, at);
      }
      if (patch.attributes !== undefined) await store.customers.setAttributes(staff.shopId, customerId, patch.attributes as CustomerAttributes, at);
      if (patch.optedOut !== undefined) await store.contacts.setOptedOut(staff.shopId, customerId, patch.optedOut, at);
      return contactOf(staff.shopId, customerId);
    },

    async addNote(principal: Principal, customerId: string, text: string): Promise<NoteRecord> {
      const staff = requireRole(principal, 'agent');
      await contactOf(staff.shopId, customerId);
      const at = now();
      const note = { id: newId(), shopId: staff.shopId, customerId, authorId: staff.id, text: nonBlank(text, 'text'), createdAt: at, updatedAt: at };
      await store.contacts.addNote(note);
      return { ...note, authorName: staff.name };
    },

    /** Its author changes a note; so may admins and owners (a colleague who left, a note to correct). */
    async updateNote(principal: Principal, customerId: string, noteId: string, text: string): Promise<NoteRecord> {
      const staff = requireRole(principal, 'agent');
      const note = await writableNote(principal, staff.shopId, customerId, noteId);
      await store.contacts.updateNote(staff.shopId, note.id, nonBlank(text, 'text'), now());
      const updated = await store.contacts.findNote(staff.shopId, customerId, noteId);
      if (!updated) fail('NOTE_NOT_FOUND');
      return updated;
    },

    async removeNote(principal: Principal, customerId: string, noteId: string): Promise<void> {
      const staff = requireRole(principal, 'agent');
      const note = await writableNote(principal, staff.shopId, customerId, noteId);
      await store.contacts.deleteNote(staff.shopId, note.id);
    },

    async label(principal: Principal, customerId: string, labelId: string, on: boolean): Promise<ContactRecord> {
      const staff = requireRole(principal, 'agent');
      await contactOf(staff.shopId, customerId);
      await requireLabels(store, staff.shopId, [labelId]);
      if (on) await store.contacts.addLabels(staff.shopId, [customerId], [labelId], now());
      else await store.contacts.removeLabels(staff.shopId, [customerId], [labelId]);
      return contactOf(staff.shopId, customerId);
    },

    /** Ids that are not contacts of the shop are skipped (as if they did not exist); every label must be the shop's. */
    async bulkLabel(principal: Principal, body: { ids: readonly string[]; add?: readonly string[]; remove?: readonly string[] }): Promise<number> {
      const staff = requireRole(principal, 'agent');
      const add = body.add ?? [];
      const remove = body.remove ?? [];
      await requireLabels(store, staff.shopId, [...add, ...remove]);
      const removed = await store.contacts.removeLabels(staff.shopId, body.ids, remove.filter((id) => !add.includes(id)));
      const added = await store.contacts.addLabels(staff.shopId, body.ids, add, now());
      return added + removed;
    },

    /** The customer opened a session or reconnected (never per message: the send path stays free of this write). */
    async seen(principal: Principal, channel: Channel): Promise<void> {
      if (principal.kind !== 'customer' || principal.shopId === null) return;
      await store.contacts.seen(principal.shopId, principal.customer.id, channel, now());
    },
  };

  async function writableNote(principal: Principal, shopId: string, customerId: string, noteId: string): Promise<NoteRecord> {
    await contactOf(shopId, customerId);
    const note = await store.contacts.findNote(shopId, customerId, noteId);
    if (!note) fail('NOTE_NOT_FOUND');
    if (note.authorId !== requireRole(principal, 'agent').id) requireRole(principal, 'admin');
    return note;
  }

}

export type Contacts = ReturnType<typeof createContacts>;
