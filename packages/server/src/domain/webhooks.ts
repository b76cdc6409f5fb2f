import { webhookEvents, type WebhookEvent } from '@frontdesk/protocol/schemas';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { DomainEventType } from './events.ts';
import { newId } from './ids.ts';
import type { Principal } from './records.ts';
import { newSecret } from './secrets.ts';
import { requireRole } from './staff.ts';

// Every webhook event is a domain event: the outbox records domain events by their type.
const everyWebhookEventIsADomainEvent: readonly DomainEventType[] = webhookEvents;
void everyWebhookEventIsADomainEvent;

export const isWebhookEvent = (type: string): type is WebhookEvent => (webhookEvents as readonly string[]).includes(type);

/** Enough for any shop's integrations; few enough that one event never fans out into a flood. */
export const WEBHOOK_ENDPOINTS_MAX = 20;

export interface WebhookEndpointRecord {
  readonly id: string;
  readonly shopId: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly includeInternal: boolean;
  /** The signing secret, sealed (WebhookIo.seal); the plain secret is shown once, at creation. */
  readonly sealedSecret: string;
  readonly disabledAt: number | null;
  readonly disabledReason: string | null;
  /** Since when every attempt failed; null after a success. */
  readonly failingSince: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRecord {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly event: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

export interface WebhookPatch {
  readonly url?: string;
  readonly events?: readonly WebhookEvent[];
  readonly includeInternal?: boolean;
  readonly sealedSecret?: string;
  /** null = active again; the subscriptions follow. */
  readonly disabled?: { readonly at: number; readonly reason: string } | null;
}

/** Storage of endpoints; every write keeps `webhook_subscriptions` (what the outbox records) in step. */
export interface WebhookStore {
  /** Inserts unless the shop has `max` endpoints already (false then), counted under a lock on the shop. */
  create(endpoint: WebhookEndpointRecord, max: number): Promise<boolean>;
  list(shopId: string): Promise<WebhookEndpointRecord[]>;
  find(shopId: string, id: string): Promise<WebhookEndpointRecord | undefined>;
  update(shopId: string, id: string, patch: WebhookPatch, now: number): Promise<boolean>;
  /** The endpoint, its subscriptions and its delivery log. */
  delete(shopId: string, id: string): Promise<boolean>;
  /** Newest first, those older than `before` (a delivery id). */
  deliveries(endpointId: string, before: string | null, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Makes the delivery due now, retried until `retryUntil`; false when it is not the endpoint's. */
  redeliver(endpointId: string, deliveryId: string, now: number, retryUntil: number): Promise<boolean>;
}

/** What the rules need from the outbound side: the address policy, and how secrets are kept at rest. */
export interface WebhookIo {
  /** Throws WEBHOOK_URL_REFUSED unless the URL may be called (scheme, public addresses after resolution). */
  checkUrl(url: string): Promise<void>;
  seal(secret: string): Promise<string>;
  /** How long a delivery is retried, and how long an endpoint may fail before it is disabled. */
  readonly retryMs: number;
}

export interface NewWebhook {
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly includeInternal?: boolean;
  /** Generated when absent. */
  readonly secret?: string;
}

export interface WebhookChange {
  readonly url?: string;
  readonly events?: readonly WebhookEvent[];
  readonly includeInternal?: boolean;
  readonly secret?: string;
  readonly active?: boolean;
}

const LOG_PAGE_DEFAULT = 50;

/** A shop's webhook endpoints, managed by owners and admins (docs/webhooks.md). */
export function createWebhooks({ store, now }: DomainDeps, io: WebhookIo) {
  const webhooks = store.webhooks;
  async function owned(principal: Principal, id: string) {
    const staff = requireRole(principal, 'admin');
    const endpoint = await webhooks.find(staff.shopId, id);
    if (!endpoint) fail('WEBHOOK_NOT_FOUND');
    return { staff, endpoint };
  }

  return {
    async list(principal: Principal): Promise<WebhookEndpointRecord[]> {
      return webhooks.list(requireRole(principal, 'admin').shopId);
    },

    /** Returns the endpoint and its secret in the clear: the only time it is shown. */
    async create(principal: Principal, input: NewWebhook): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
      const staff = requireRole(principal, 'admin');
      await io.checkUrl(input.url);
      const secret = input.secret ?? `whsec_${newSecret()}`;
      const at = now();
      const endpoint: WebhookEndpointRecord = {
        id: newId(),
        shopId: staff.shopId,
        url: input.url,
        events: distinct(input.events),
        includeInternal: input.includeInternal ?? false,
        sealedSecret: await io.seal(secret),
        disabledAt: null,
        disabledReason: null,
        failingSince: null,
        createdAt: at,
        updatedAt: at,
      };
      if (!(await webhooks.create(endpoint, WEBHOOK_ENDPOINTS_MAX))) fail('WEBHOOK_LIMIT');
      return { endpoint, secret };
    },

    async update(principal: Principal, id: string, change: WebhookChange): Promise<WebhookEndpointRecord> {
      const { staff } = await owned(principal, id);
      if (change.url !== undefined) await io.checkUrl(change.url);
      const patch: WebhookPatch = {
        ...(change.url !== undefined && { url: change.url }),
        ...(change.events !== undefined && { events: distinct(change.events) }),
        ...(change.includeInternal !== undefined && { includeInternal: change.includeInternal }),
        ...(change.secret !== undefined && { sealedSecret: await io.seal(change.secret) }),
        ...(change.active !== undefined && { disabled: change.active ? null : { at: now(), reason: 'Disabled by staff.' } }),
      };
      if (!(await webhooks.update(staff.shopId, id, patch, now()))) fail('WEBHOOK_NOT_FOUND');
      const updated = await webhooks.find(staff.shopId, id);
      if (!updated) fail('WEBHOOK_NOT_FOUND');
      return updated;
    },

    async remove(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'admin');
      if (!(await webhooks.delete(staff.shopId, id))) fail('WEBHOOK_NOT_FOUND');
    },

    async deliveries(principal: Principal, id: string, before: string | undefined, limit = LOG_PAGE_DEFAULT) {
      const { endpoint } = await owned(principal, id);
      // One more than asked tells whether there is a next page.
      const rows = await webhooks.deliveries(endpoint.id, before ?? null, limit + 1);
      return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
    },

    /** Sends the delivery again, with the same id and body, retried as a new one would be. */
    async redeliver(principal: Principal, id: string, deliveryId: string): Promise<void> {
      const { endpoint } = await owned(principal, id);
      if (endpoint.disabledAt !== null) fail('WEBHOOK_DISABLED');
      const at = now();
      if (!(await webhooks.redeliver(endpoint.id, deliveryId, at, at + io.retryMs))) fail('WEBHOOK_DELIVERY_NOT_FOUND');
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;

const distinct = (events: readonly WebhookEvent[]) => [...new Set(events)];
