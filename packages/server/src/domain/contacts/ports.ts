import type { Channel, ContactSort, CustomerAttributes, InboxFilter, Locale } from '@frontdesk/protocol';
import type { CustomerRecord } from '../records.ts';

/** A customer as one shop knows them (docs/contacts.md): the shop's labels, opt-out and last visit. */
export interface ContactRecord {
  readonly shopId: string;
  readonly customer: CustomerRecord;
  readonly attributes: CustomerAttributes;
  readonly labelIds: readonly string[];
  readonly channel: Channel;
  readonly lastSeenAt: number | null;
  readonly optedOutAt: number | null;
  readonly locale: Locale | null;
  readonly conversationId: string | null;
  readonly createdAt: number;
}

/** The list's filters, as the domain checked them; they combine (and). */
export interface ContactFilter {
  readonly q?: string;
  readonly labelId?: string;
  /** Equality with the attribute's JSON value (`"gold"`, `3`, `true`). */
  readonly attribute?: { readonly key: string; readonly json: string };
  readonly channel?: Channel;
  readonly seenAfter?: number;
  readonly seenBefore?: number;
  readonly optedOut?: boolean;
}

export interface ContactOrder {
  readonly sort: ContactSort;
  readonly order: 'asc' | 'desc';
}

/** Keyset position: the sort key of the last contact of a page (a time, or a lower-cased name) and its id. */
export interface ContactPosition {
  readonly key: number | string;
  readonly id: string;
}

export interface NoteRecord {
  readonly id: string;
  readonly shopId: string;
  readonly customerId: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One line of an import the domain accepted: a shop customer, made or updated. */
export interface ImportLine {
  readonly externalId: string;
  readonly name?: string;
  readonly email?: string;
  /** Set on top of the customer's attributes (keys not named stay). */
  readonly attributes: CustomerAttributes;
  /** Added to the contact's labels (by id; the domain made missing ones). */
  readonly labelIds: readonly string[];
  /** true = opted out (since now unless already), false = opted in, undefined = as it is. */
  readonly optedOut?: boolean;
}

export interface ContactStore {
  /** Each with its sort key (the cursor's). */
  list(shopId: string, filter: ContactFilter, order: ContactOrder, after: ContactPosition | null, limit: number): Promise<Array<ContactRecord & { readonly sortKey: number | string }>>;
  find(shopId: string, customerId: string): Promise<ContactRecord | undefined>;
  /** Those of `customerIds` that are contacts of the shop. */
  existing(shopId: string, customerIds: readonly string[]): Promise<string[]>;
  setOptedOut(shopId: string, customerId: string, optedOut: boolean, now: number): Promise<void>;
  /**
   * The customer came (a session opened, a socket reconnected): last seen and channel move, at most
   * once a minute per contact unless the channel or the language (when given) changed, so
   * reconnect storms write little.
   */
  seen(shopId: string, customerId: string, channel: Channel, now: number, locale?: Locale): Promise<void>;
  notes(shopId: string, customerId: string): Promise<NoteRecord[]>;
  findNote(shopId: string, customerId: string, noteId: string): Promise<NoteRecord | undefined>;
  addNote(note: Omit<NoteRecord, 'authorName'>): Promise<void>;
  updateNote(shopId: string, noteId: string, text: string, now: number): Promise<void>;
  deleteNote(shopId: string, noteId: string): Promise<void>;
  /** Labels added to contacts of the shop (others ignored); how many (contact, label) pairs are new. */
  addLabels(shopId: string, customerIds: readonly string[], labelIds: readonly string[], now: number): Promise<number>;
  /** How many (contact, label) pairs went. */
  removeLabels(shopId: string, customerIds: readonly string[], labelIds: readonly string[]): Promise<number>;
  /**
   * Shop customers with these external ids (one line each) and their contacts, made or updated;
   * whether each was new to the shop.
   */
  importLines(shopId: string, lines: readonly ImportLine[], newId: () => string, now: number): Promise<boolean[]>;
}

export interface LabelRecord {
  readonly id: string;
  readonly shopId: string;
  readonly name: string;
  readonly color: string;
  readonly createdAt: number;
}

export interface LabelStore {
  list(shopId: string): Promise<LabelRecord[]>;
  /** Those of `ids` that are labels of the shop. */
  findMany(shopId: string, ids: readonly string[]): Promise<LabelRecord[]>;
  /** Throws AppError LABEL_NAME_TAKEN. */
  create(label: LabelRecord): Promise<void>;
  /** Throws AppError LABEL_NAME_TAKEN; false when there is no such label. */
  update(shopId: string, id: string, patch: { name?: string; color?: string }, now: number): Promise<boolean>;
  /** The label and every use of it on contacts and conversations; false when there is none. */
  delete(shopId: string, id: string): Promise<boolean>;
  /** Labels added to service conversations of the shop (others ignored); the conversations that changed. */
  labelConversations(shopId: string, conversationIds: readonly string[], labelIds: readonly string[], now: number): Promise<string[]>;
  unlabelConversations(shopId: string, conversationIds: readonly string[], labelIds: readonly string[]): Promise<string[]>;
}

export interface SavedViewRecord {
  readonly id: string;
  readonly shopId: string;
  readonly staffId: string;
  readonly name: string;
  readonly filters: InboxFilter;
  readonly createdAt: number;
}

export interface SavedViewStore {
  list(shopId: string, staffId: string): Promise<SavedViewRecord[]>;
  count(shopId: string, staffId: string): Promise<number>;
  create(view: SavedViewRecord): Promise<void>;
  /** Only the staff member's own view; false when they have none with this id. */
  update(shopId: string, staffId: string, id: string, patch: { name?: string; filters?: InboxFilter }, now: number): Promise<boolean>;
  delete(shopId: string, staffId: string, id: string): Promise<boolean>;
  find(shopId: string, staffId: string, id: string): Promise<SavedViewRecord | undefined>;
}
