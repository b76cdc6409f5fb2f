import type { CustomerAttributes, Locale } from '@frontdesk/protocol';
import type { Auth, IssuedSession } from './auth.ts';
import type { DomainDeps } from './domain.ts';
import { decideMerge } from './inquiry-states.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import { verifyIdentity, type IdentityProof } from './identity.ts';
import type { ConversationRecord, CustomerRecord } from './records.ts';
import { newToken, tokenHash } from './secrets.ts';
import type { SignInLinks } from './sign-in-links.ts';

export interface WidgetSessionRequest {
  readonly shopId: string;
  /**
   * Kept by the widget across reloads; resumes the same anonymous visitor. With `identity` too, the
   * visitor is folded into the identified customer and their history carries over.
   */
  readonly visitorToken?: string;
  readonly identity?: IdentityProof;
  /** A sign-in link from an e-mail (sign-in-links.ts): back in as the customer it names. */
  readonly signInLink?: string;
  /**
   * What the visitor's page says about them. `attributes` counts for anonymous visitors only: an
   * identified customer's come from their signed token alone, which a script on the page cannot forge.
   */
  readonly profile?: { readonly name?: string; readonly email?: string; readonly attributes?: CustomerAttributes };
  /** The widget's language, kept on the contact: the shop's e-mails to the customer are in it. */
  readonly locale?: Locale;
}

export interface WidgetSession extends IssuedSession {
  readonly customer: CustomerRecord;
  readonly conversation: ConversationRecord;
  /** Set only when a new anonymous visitor was created: the widget must keep it. */
  readonly visitorToken: string | null;
  /** True when a visitor token was folded into this identified customer: the widget may forget it. */
  readonly merged: boolean;
}

/** Opens a customer session for the widget: anonymous, resumed, or identified by the site. */
export function createWidgetSessions(deps: DomainDeps, auth: Auth, links: SignInLinks) {
  const { store, events, now, settings } = deps;

  /** Folds the visitor into the customer and tells the shop's staff (and the customer) it happened. */
  async function merge(shopId: string, visitorToken: string, customer: CustomerRecord): Promise<boolean> {
    const visitor = await store.customers.findByVisitorToken(shopId, tokenHash(visitorToken));
    // A stale token must not stop someone from signing in: there is simply nothing to carry over.
    if (!visitor || visitor.kind !== 'anonymous') return false;
    const merged = await store.conversations.mergeVisitor(shopId, visitor.id, customer.id, newId(), now(), decideMerge);
    if (!merged) return false;
    const conversation = await store.conversations.find(merged.conversationId);
    if (conversation) await events.emit({ type: 'conversation.merged', conversation, fromConversationId: merged.fromConversationId });
    return true;
  }

  return {
    async open(request: WidgetSessionRequest): Promise<WidgetSession> {
      const shop = await store.shops.find(request.shopId);
      if (!shop) fail('SHOP_NOT_FOUND');
      let customer: CustomerRecord;
      let visitorToken: string | null = null;
      let merged = false;
      let changed = false;
      // Given attributes replace the stored ones; none given leaves them as they are.
      let attributes = request.profile?.attributes;

      if (request.identity !== undefined) {
        const identity = await verifyIdentity(request.identity, shop, settings.platformIdentitySecret);
        attributes = identity.attributes;
        const platform = identity.scope === 'platform';
        customer = await store.customers.upsert(
          {
            id: newId(),
            shopId: platform ? null : shop.id,
            kind: identity.scope,
            identityKey: platform ? `p:${identity.externalId}` : `s:${shop.id}:${identity.externalId}`,
            externalId: identity.externalId,
            name: identity.name ?? request.profile?.name ?? null,
            email: identity.email ?? request.profile?.email ?? null,
            visitorTokenHash: null,
          },
          now(),
        );
        const name = identity.name ?? request.profile?.name;
        const email = identity.email ?? request.profile?.email;
        if ((name !== undefined && name !== customer.name) || (email !== undefined && email !== customer.email)) {
          changed = await store.customers.updateProfile(shop.id, customer.id, { name, email }, now());
          customer = { ...customer, name: name ?? customer.name, email: email ?? customer.email };
        }
        if (request.visitorToken !== undefined) merged = await merge(shop.id, request.visitorToken, customer);
      } else if (request.signInLink !== undefined) {
        const link = await links.verify(request.signInLink);
        const found = link.shopId === shop.id ? await store.customers.find(link.customerId) : undefined;
        if (!found) fail('LINK_INVALID');
        customer = found;
      } else if (request.visitorToken !== undefined) {
        const found = await store.customers.findByVisitorToken(shop.id, tokenHash(request.visitorToken));
        if (!found) fail('VISITOR_TOKEN_INVALID');
        customer = found;
      } else {
        visitorToken = newToken('fdv');
        const id = newId();
        customer = await store.customers.upsert(
          {
            id,
            shopId: shop.id,
            kind: 'anonymous',
            identityKey: `a:${id}`,
            externalId: null,
            name: request.profile?.name ?? null,
            email: request.profile?.email ?? null,
            visitorTokenHash: tokenHash(visitorToken),
          },
          now(),
        );
      }

      if (attributes !== undefined) changed = (await store.customers.setAttributes(shop.id, customer.id, attributes, now())) || changed;
      const at = now();
      const conversation = await store.conversations.ensureService(shop.id, customer.id, newId(), at, 'web');
      // A session is a visit (a new contact was seen just now, and this writes nothing then).
      await store.contacts.seen(shop.id, customer.id, 'web', at, request.locale);
      // Made just now (its creation time is this call's): the customer is new to the shop.
      if (conversation.createdAt === at) await events.emit({ type: 'customer.created', shopId: shop.id, customer });
      else if (changed) await events.emit({ type: 'customer.updated', shopId: shop.id, customer });
      const session = await auth.issueCustomerSession(customer.id, shop.id);
      return { ...session, customer, conversation, visitorToken, merged };
    },
  };
}
