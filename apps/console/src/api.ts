/** The HTTP API as the console uses it: JSON in and out, the staff token as a Bearer header. */
import type {
  Agent,
  AgentStatistics,
  ApiKey,
  Broadcast,
  BroadcastBody,
  BroadcastList,
  CannedResponse,
  Conversation,
  CreatedApiKey,
  CreatedWebhook,
  CustomerDetails,
  DayStatistics,
  Group,
  Membership,
  Message,
  Operations,
  Readers,
  SearchResults,
  Shop,
  ShopSettings,
  Staff,
  StaffRole,
  TeamDirectory,
  Webhook,
  WebhookBody,
  WebhookDelivery,
  WebhookPatchBody,
} from '@frontdesk/protocol';

export const apiBase = `${location.origin}/api/v1`;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface Login {
  readonly token: string;
  readonly staff: Staff;
}

export type View = 'queue' | 'mine' | 'open' | 'closed' | 'snoozed';

/** One client per signed-in staff member; `onUnauthorized` runs when the session has ended. */
export class Api {
  readonly token: string;
  readonly #onUnauthorized: () => void;
  constructor(token: string, onUnauthorized: () => void) {
    this.token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  static async login(email: string, password: string): Promise<Login> {
    return request<Login>('POST', '/auth/login', null, { email, password });
  }

  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return request<T>(method, path, this.token, body).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) this.#onUnauthorized();
      throw error;
    });
  }

  logout = () => this.call<void>('POST', '/auth/logout');
  me = () => this.call<{ kind: 'staff'; staff: Staff }>('GET', '/me').then((me) => me.staff);
  conversations = (view: View) => this.call<{ items: Conversation[] }>('GET', `/conversations?view=${view}&limit=100`);
  conversation = (id: string) => this.call<Conversation>('GET', `/conversations/${encodeURIComponent(id)}`);
  search = (q: string) => this.call<SearchResults>('GET', `/search?q=${encodeURIComponent(q)}&limit=20`);
  act = (id: string, action: 'claim' | 'close') => this.call<Conversation>('POST', `/conversations/${encodeURIComponent(id)}/${action}`);
  transfer = (id: string, toStaffId: string | null, note?: string) =>
    this.call<Conversation>('POST', `/conversations/${encodeURIComponent(id)}/transfer`, { toStaffId, ...(note && { note }) });
  invite = (id: string, staffId: string) => this.call<Conversation>('POST', `/conversations/${encodeURIComponent(id)}/invite`, { staffId });
  agents = () => this.call<Agent[]>('GET', '/agents');
  customer = (id: string) => this.call<CustomerDetails>('GET', `/customers/${encodeURIComponent(id)}`);
  canned = () => this.call<{ items: CannedResponse[] }>('GET', '/canned-responses');
  createCanned = (body: { shortcut: string; title: string; text: string }) => this.call<CannedResponse>('POST', '/canned-responses', body);
  deleteCanned = (id: string) => this.call<void>('DELETE', `/canned-responses/${encodeURIComponent(id)}`);
  shop = () => this.call<Shop & { identitySecret: string }>('GET', '/shop');
  updateShop = (body: { name?: string; settings?: Partial<ShopSettings> }) => this.call<Shop>('PATCH', '/shop', body);
  rotateSecret = () => this.call<{ identitySecret: string }>('POST', '/shop/identity-secret');
  staff = () => this.call<{ items: Staff[] }>('GET', '/staff').then((page) => page.items);
  createStaff = (body: { email: string; name: string; role: StaffRole; capacity?: number }) =>
    this.call<{ staff: Staff; password?: string }>('POST', '/staff', body);
  updateStaff = (id: string, body: { name?: string; role?: StaffRole; capacity?: number | null; disabled?: boolean }) =>
    this.call<Staff>('PATCH', `/staff/${encodeURIComponent(id)}`, body);
  operations = () => this.call<Operations>('GET', '/operations');
  daily = (from: Date, to: Date) =>
    this.call<{ days: DayStatistics[] }>('GET', `/stats/daily?from=${from.toISOString()}&to=${to.toISOString()}&tzOffsetMinutes=${-new Date().getTimezoneOffset()}`);
  webhooks = () => this.call<{ items: Webhook[] }>('GET', '/webhooks').then((page) => page.items);
  apiKeys = () => this.call<{ items: ApiKey[] }>('GET', '/api-keys').then((r) => r.items);
  createApiKey = (name: string) => this.call<CreatedApiKey>('POST', '/api-keys', { name });
  deleteApiKey = (id: string) => this.call<void>('DELETE', `/api-keys/${encodeURIComponent(id)}`);
  createWebhook = (body: WebhookBody) => this.call<CreatedWebhook>('POST', '/webhooks', body);
  updateWebhook = (id: string, body: WebhookPatchBody) => this.call<Webhook>('PATCH', `/webhooks/${encodeURIComponent(id)}`, body);
  deleteWebhook = (id: string) => this.call<void>('DELETE', `/webhooks/${encodeURIComponent(id)}`);
  deliveries = (id: string, cursor?: string | null) =>
    this.call<{ items: WebhookDelivery[]; nextCursor: string | null }>(
      'GET',
      `/webhooks/${encodeURIComponent(id)}/deliveries?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  redeliver = (id: string, deliveryId: string) =>
    this.call<void>('POST', `/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`);
  // Staff chat (docs/staff-chat.md).
  team = () => this.call<TeamDirectory>('GET', '/team');
  direct = (staffId: string) => this.call<Conversation>('POST', '/direct', { staffId });
  createGroup = (title: string, memberIds: string[]) => this.call<Group>('POST', '/groups', { title, memberIds });
  group = (id: string) => this.call<Group>('GET', `/groups/${encodeURIComponent(id)}`);
  renameGroup = (id: string, title: string) => this.call<Group>('PATCH', `/groups/${encodeURIComponent(id)}`, { title });
  addMembers = (id: string, staffIds: string[]) => this.call<Group>('POST', `/groups/${encodeURIComponent(id)}/members`, { staffIds });
  /** One's own id: leave the group. */
  removeMember = (id: string, staffId: string) => this.call<void>('DELETE', `/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(staffId)}`);
  mute = (id: string, muted: boolean | string) => this.call<Membership>('PATCH', `/conversations/${encodeURIComponent(id)}/membership`, { muted });
  editMessage = (id: string, messageId: string, text: string) => this.call<Message>('PATCH', messagePath(id, messageId), { text });
  deleteMessage = (id: string, messageId: string) => this.call<Message>('DELETE', messagePath(id, messageId));
  readers = (id: string, messageId: string) => this.call<Readers>('GET', `${messagePath(id, messageId)}/readers`);
  broadcasts = () => this.call<BroadcastList>('GET', '/broadcasts?limit=100');
  sendBroadcast = (body: BroadcastBody) => this.call<Broadcast>('POST', '/broadcasts', body);
  readBroadcast = (id: string) => this.call<Broadcast>('POST', `/broadcasts/${encodeURIComponent(id)}/read`);
  agentStats = (from: Date, to: Date) => this.call<AgentStatistics[]>('GET', `/stats/agents?from=${from.toISOString()}&to=${to.toISOString()}`);
}

const messagePath = (id: string, messageId: string) => `/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}`;

async function request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached.');
  }
  if (response.status === 204) return undefined as T;
  const parsed = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) throw new ApiError(response.status, parsed?.error?.code ?? 'HTTP_' + response.status, parsed?.error?.message ?? response.statusText);
  return parsed as T;
}
