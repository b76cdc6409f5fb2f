import { randomUUID } from 'node:crypto';
import type { RoutingStrategy } from '@frontdesk/protocol';
import type { TestServer } from './server.ts';
import { SignJWT } from 'jose';

export interface Reply<T = any> {
  readonly status: number;
  readonly body: T;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, for malformed-body tests. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/** Plain fetch against the running server; the body is parsed when it is JSON. */
export async function call<T = any>(server: TestServer, method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const response = await fetch(server.url + path, { method, headers, ...(body !== undefined && { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T };
}

export interface ShopFixture {
  readonly shopId: string;
  readonly identitySecret: string;
  readonly ownerId: string;
  readonly ownerToken: string;
  readonly agentId: string;
  readonly agentToken: string;
}

/**
 * A shop with an owner and an agent, both logged in over HTTP. Its routing is manual unless asked:
 * tests about delivery count messages and frames, and automatic routing adds system messages and
 * `conversation` events; the routing tests choose their strategy.
 */
export async function createShop(server: TestServer, name = 'Shop', routingStrategy: RoutingStrategy = 'manual'): Promise<ShopFixture> {
  const { services, store } = server.app;
  const shop = await services.shops.create(name);
  await store.shops.update(shop.id, { settings: { ...shop.settings, routingStrategy } }, Date.now());
  const tag = randomUUID().slice(0, 8);
  const password = 'correct horse battery staple';
  const owner = await services.staff.createInShop(shop.id, { email: `owner-${tag}@example.test`, name: 'Owner', role: 'owner', password });
  const agent = await services.staff.createInShop(shop.id, { email: `agent-${tag}@example.test`, name: 'Agent', role: 'agent', password });
  const ownerLogin = await call(server, 'POST', '/api/v1/auth/login', { body: { email: owner.staff.email, password } });
  const agentLogin = await call(server, 'POST', '/api/v1/auth/login', { body: { email: agent.staff.email, password } });
  if (ownerLogin.status !== 200 || agentLogin.status !== 200) throw new Error(`login failed: ${JSON.stringify(ownerLogin.body)}`);
  return {
    shopId: shop.id,
    identitySecret: shop.identitySecret,
    ownerId: owner.staff.id,
    ownerToken: ownerLogin.body.token,
    agentId: agent.staff.id,
    agentToken: agentLogin.body.token,
  };
}

export interface CustomerFixture {
  readonly customerId: string;
  readonly token: string;
  readonly conversationId: string;
  readonly visitorToken: string | null;
}

/** An anonymous visitor of the shop (or one identified by `identity`), with their conversation. */
export async function openWidget(server: TestServer, shopId: string, extra: Record<string, unknown> = {}): Promise<CustomerFixture> {
  const reply = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId, ...extra } });
  if (reply.status !== 200) throw new Error(`widget session failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return {
    customerId: reply.body.customer.id,
    token: reply.body.token,
    conversationId: reply.body.conversation.id,
    visitorToken: reply.body.visitorToken,
  };
}

export async function send(server: TestServer, token: string, conversationId: string, text: string, extra: Record<string, unknown> = {}) {
  return call(server, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
    token,
    body: { clientMsgId: randomUUID(), text, ...extra },
  });
}

/** Sets the shop's routing strategy (owner's token); 'manual' keeps routing out of tests about delivery. */
export async function setRouting(server: TestServer, shop: ShopFixture, routingStrategy: string, extra: Record<string, unknown> = {}): Promise<void> {
  const reply = await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { routingStrategy, ...extra } } });
  if (reply.status !== 200) throw new Error(`shop settings failed: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** A customer identity as a shop's site (or the platform) signs it: HS256, subject, 10 minutes. */
export function identityToken(secret: string, sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));
}

/** A shop (createShop) with an API key of its own, made by its owner. */
export async function shopWithKey(server: TestServer, name: string): Promise<ShopFixture & { readonly apiKey: string }> {
  const shop = await createShop(server, name);
  const created = await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: `${name} key` } });
  if (created.status !== 201) throw new Error(`API key not created: ${JSON.stringify(created.body)}`);
  return { ...shop, apiKey: created.body.key };
}
