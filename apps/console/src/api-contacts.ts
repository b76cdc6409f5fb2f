/**
 * The HTTP API of contacts, labels, saved inbox views and campaigns (docs/contacts.md,
 * docs/campaigns.md), on top of the console's Api: the same Bearer token, the same errors.
 */
import type {
  BulkLabelBody,
  Campaign,
  CampaignAudience,
  CampaignCreateBody,
  CampaignPage,
  CampaignPatchBody,
  CampaignRecipient,
  Channel,
  Contact,
  ContactDetails,
  ContactImportResult,
  ContactListQuery,
  ContactNote,
  ContactPage,
  ContactPatchBody,
  Conversation,
  InboxCounts,
  InboxFilter,
  Label,
  LabelCreateBody,
  LabelPatchBody,
  SavedView,
  SavedViewBody,
} from '@frontdesk/protocol';
import { ApiError, apiBase, type Api } from './api.ts';

/** Conversations carry their channel and labels (schemas/contacts.ts); optional until every server sends them. */
export type LabelledConversation = Conversation & { readonly labelIds?: readonly string[]; readonly channel?: Channel };

const enc = encodeURIComponent;

/** `?a=1&b=2` from the defined values; '' when none. */
export function queryString(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

export function contactsApi(api: Api) {
  return {
    contacts: (query: ContactListQuery) => api.call<ContactPage>('GET', `/contacts${queryString({ limit: 50, ...query })}`),
    contact: (id: string) => api.call<ContactDetails>('GET', `/contacts/${enc(id)}`),
    updateContact: (id: string, body: ContactPatchBody) => api.call<Contact>('PATCH', `/contacts/${enc(id)}`, body),
    addNote: (id: string, text: string) => api.call<ContactNote>('POST', `/contacts/${enc(id)}/notes`, { text }),
    editNote: (id: string, noteId: string, text: string) => api.call<ContactNote>('PATCH', `/contacts/${enc(id)}/notes/${enc(noteId)}`, { text }),
    deleteNote: (id: string, noteId: string) => api.call<void>('DELETE', `/contacts/${enc(id)}/notes/${enc(noteId)}`),
    labelContact: (id: string, labelId: string, on: boolean) => api.call<unknown>(on ? 'PUT' : 'DELETE', `/contacts/${enc(id)}/labels/${enc(labelId)}`),
    bulkLabelContacts: (body: BulkLabelBody) => api.call<{ changed: number }>('POST', '/contacts/labels', body),
    importContacts: (csv: string) => raw(api, 'POST', '/contacts/import', csv, 'text/csv').then((r) => r.json() as Promise<ContactImportResult>),
    /** The CSV as a file the browser saves. */
    exportContacts: () => raw(api, 'GET', '/contacts/export').then((r) => r.blob()),
    labels: () => api.call<{ items: Label[] }>('GET', '/labels').then((r) => r.items),
    createLabel: (body: LabelCreateBody) => api.call<Label>('POST', '/labels', body),
    updateLabel: (id: string, body: LabelPatchBody) => api.call<Label>('PATCH', `/labels/${enc(id)}`, body),
    deleteLabel: (id: string) => api.call<void>('DELETE', `/labels/${enc(id)}`),
    labelConversation: (id: string, labelId: string, on: boolean) => api.call<unknown>(on ? 'PUT' : 'DELETE', `/conversations/${enc(id)}/labels/${enc(labelId)}`),
    bulkLabelConversations: (body: BulkLabelBody) => api.call<{ changed: number }>('POST', '/conversations/labels', body),
    inbox: (filter: InboxFilter) => api.call<{ items: LabelledConversation[] }>('GET', `/conversations${queryString({ ...filter, limit: 100 })}`),
    /** The views' badges, narrowed like the list on screen (every filter but the view and the order). */
    counts: ({ view: _view, sort: _sort, ...filter }: InboxFilter) => api.call<InboxCounts>('GET', `/conversations/counts${queryString(filter)}`),
    views: () => api.call<{ items: SavedView[] }>('GET', '/views').then((r) => r.items),
    saveView: (body: SavedViewBody) => api.call<SavedView>('POST', '/views', body),
    deleteView: (id: string) => api.call<void>('DELETE', `/views/${enc(id)}`),
    staff: () => api.staff(),
    campaigns: (cursor?: string | null) => api.call<CampaignPage>('GET', `/campaigns${queryString({ limit: 50, cursor: cursor ?? undefined })}`),
    campaign: (id: string) => api.call<Campaign>('GET', `/campaigns/${enc(id)}`),
    createCampaign: (body: CampaignCreateBody) => api.call<Campaign>('POST', '/campaigns', body),
    updateCampaign: (id: string, body: CampaignPatchBody) => api.call<Campaign>('PATCH', `/campaigns/${enc(id)}`, body),
    deleteCampaign: (id: string) => api.call<void>('DELETE', `/campaigns/${enc(id)}`),
    campaignAction: (id: string, action: CampaignAction) => api.call<Campaign>('POST', `/campaigns/${enc(id)}/${action}`),
    recipients: (id: string) => api.call<{ items: CampaignRecipient[]; nextCursor: string | null }>('GET', `/campaigns/${enc(id)}/recipients?limit=50`),
    audienceCount: (audience: CampaignAudience) => api.call<{ count: number }>('POST', '/campaigns/audience', { audience }),
  };
}

export type ContactsApi = ReturnType<typeof contactsApi>;

/** A call whose body or answer is not JSON (CSV in, CSV out). */
export async function raw(api: Api, method: string, path: string, body?: string, type?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${api.token}` };
  if (type) headers['content-type'] = type;
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}`, { method, headers, ...(body !== undefined && { body }) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached.');
  }
  if (!response.ok) {
    const parsed = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new ApiError(response.status, parsed?.error?.code ?? `HTTP_${response.status}`, parsed?.error?.message ?? response.statusText);
  }
  return response;
}
