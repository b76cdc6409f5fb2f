/** The customer's session with the shop (POST /widget/sessions), and the API reads made with it. */
import type { CustomerKind, Locale } from '@frontdesk/protocol';
import type { WidgetUser } from '../bridge.ts';
import { api, shopId, signInLink, toParent } from './context.ts';

export interface Session {
  readonly token: string;
  readonly customerId: string;
  readonly conversationId: string;
  readonly shopName: string;
  readonly customerKind: CustomerKind;
  /** The anonymous visitor's token in force; null once identified. */
  readonly visitorToken: string | null;
  /** Where unread replies are e-mailed; null = nowhere yet. */
  readonly email: string | null;
  readonly name: string | null;
}

/**
 * Opens (or resumes) the visitor's session: anonymous with the stored visitor token, or identified.
 * Identified with a visitor token, the server folds that visitor into the customer (their history
 * carries over) and the page can forget the token.
 */
export async function openSession(user: WidgetUser | null, visitorToken: string | null, locale: Locale): Promise<Session> {
  // The language goes with every session: the shop's e-mails to the customer are written in it.
  const body: Record<string, unknown> = { shopId, locale };
  if (user?.jwt) body.identity = { jwt: user.jwt };
  else if (user?.id && user.identifierHash) body.identity = { externalId: user.id, identifierHash: user.identifierHash };
  if (signInLink && !body.identity) body.signInLink = signInLink;
  else if (visitorToken) body.visitorToken = visitorToken;
  if (user?.name || user?.email) body.profile = { ...(user.name && { name: user.name }), ...(user.email && { email: user.email }) };
  let response = await fetch(`${api}/widget/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status === 401 && body.visitorToken && !body.identity) {
    // The visitor was forgotten on the server: start a new one.
    delete body.visitorToken;
    response = await fetch(`${api}/widget/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
  const session = (await response.json()) as {
    token: string;
    visitorToken: string | null;
    merged: boolean;
    customer: { id: string; kind: CustomerKind; email: string | null; name: string | null };
    conversation: { id: string; shopName: string };
  };
  if (session.visitorToken) toParent({ type: 'visitor', visitorToken: session.visitorToken });
  else if (session.merged) toParent({ type: 'visitor', visitorToken: null });
  return {
    token: session.token,
    customerId: session.customer.id,
    conversationId: session.conversation.id,
    shopName: session.conversation.shopName,
    customerKind: session.customer.kind,
    email: session.customer.email,
    name: session.customer.name,
    visitorToken: body.identity ? null : (session.visitorToken ?? (body.visitorToken as string | undefined) ?? null),
  };
}

/** A GET on the API with the customer's token. */
export async function apiGet<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
