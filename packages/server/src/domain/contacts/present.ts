import type { Contact, ContactNote, Label, SavedView } from '@frontdesk/protocol';
import { presentCustomer } from '../present.ts';
import type { ContactRecord, LabelRecord, NoteRecord, SavedViewRecord } from './ports.ts';

/** Contacts, labels, notes and saved views → their wire shapes (schemas/contacts.ts). */
const iso = (ms: number) => new Date(ms).toISOString();

export function presentContact(contact: ContactRecord): Contact {
  return {
    customer: presentCustomer(contact.customer),
    attributes: contact.attributes,
    labelIds: [...contact.labelIds],
    channel: contact.channel,
    lastSeenAt: contact.lastSeenAt === null ? null : iso(contact.lastSeenAt),
    optedOutAt: contact.optedOutAt === null ? null : iso(contact.optedOutAt),
    locale: contact.locale,
    conversationId: contact.conversationId,
    createdAt: iso(contact.createdAt),
  };
}

export function presentNote(note: NoteRecord): ContactNote {
  return { id: note.id, authorId: note.authorId, authorName: note.authorName, text: note.text, createdAt: iso(note.createdAt), updatedAt: iso(note.updatedAt) };
}

export function presentLabel(label: LabelRecord): Label {
  return { id: label.id, name: label.name, color: label.color, createdAt: iso(label.createdAt) };
}

export function presentSavedView(view: SavedViewRecord): SavedView {
  return { id: view.id, name: view.name, filters: view.filters, createdAt: iso(view.createdAt) };
}
