import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import type { Principal } from './records.ts';
import { newToken, tokenHash } from './secrets.ts';
import { requireRole } from './staff.ts';

/** Enough for a shop's integrations; few enough to review in the console. */
export const API_KEYS_MAX = 20;
const PREFIX_CHARS = 12;

export interface ApiKeyRecord {
  readonly id: string;
  readonly shopId: string;
  readonly name: string;
  /** The first characters of the key, to tell keys apart. */
  readonly prefix: string;
  /** SHA-256 of the key, hex: the key itself is never stored. */
  readonly keyHash: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface ApiKeyStore {
  /** Inserts unless the shop has `max` keys already (false then). */
  create(key: ApiKeyRecord, max: number): Promise<boolean>;
  list(shopId: string): Promise<ApiKeyRecord[]>;
  delete(shopId: string, id: string): Promise<boolean>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
}

/** Who a push API request comes from: a shop, through one of its keys. */
export interface ApiCaller {
  readonly shopId: string;
  readonly keyId: string;
}

/**
 * A shop's API keys (docs/api.md#api-keys): bearer credentials of the push APIs, managed by owners
 * and admins. The key is shown once, at creation; it is found again by its SHA-256, like a session
 * token (256 random bits need no slow hash, and the lookup by hash compares nothing in user code).
 */
export function createApiKeys({ store, now }: DomainDeps) {
  const keys = store.apiKeys;
  return {
    async list(principal: Principal): Promise<ApiKeyRecord[]> {
      return keys.list(requireRole(principal, 'admin').shopId);
    },

    async create(principal: Principal, name: string): Promise<{ record: ApiKeyRecord; key: string }> {
      const staff = requireRole(principal, 'admin');
      const key = newToken('fdk');
      const record: ApiKeyRecord = {
        id: newId(),
        shopId: staff.shopId,
        name,
        prefix: key.slice(0, PREFIX_CHARS),
        keyHash: tokenHash(key),
        createdBy: staff.id,
        createdAt: now(),
      };
      if (!(await keys.create(record, API_KEYS_MAX))) fail('API_KEY_LIMIT');
      return { record, key };
    },

    async revoke(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'admin');
      if (!(await keys.delete(staff.shopId, id))) fail('API_KEY_NOT_FOUND');
    },

    /**
     * The shop's customer whose external id is `externalId` (goim's mid), as the caller a key acts
     * for: a shop's server may write as its own customers. Unknown: CUSTOMER_NOT_FOUND.
     */
    async actAsCustomer(caller: ApiCaller, externalId: string): Promise<Principal> {
      const [id] = await store.customers.idsOfShopCustomers(caller.shopId, [externalId]);
      const customer = id === undefined ? undefined : await store.customers.find(id);
      if (!customer) fail('CUSTOMER_NOT_FOUND');
      // Not a session: nothing can sign it out but revoking the key.
      return { kind: 'customer', customer, shopId: caller.shopId, tokenHash: `api-key:${caller.keyId}` };
    },

    /** An active staff member of the shop, as the caller a key acts for (a message sent in their name). */
    async actAsStaff(caller: ApiCaller, staffId: string): Promise<Principal> {
      const staff = await store.staff.find(caller.shopId, staffId);
      if (!staff || staff.disabledAt !== null) fail('STAFF_NOT_FOUND');
      return { kind: 'staff', staff, tokenHash: `api-key:${caller.keyId}` };
    },

    /** The shop a bearer key belongs to; AUTH_REQUIRED without one, TOKEN_INVALID for an unknown or revoked one. */
    async authenticate(key: string | undefined): Promise<ApiCaller> {
      if (key === undefined) fail('AUTH_REQUIRED');
      if (!key.startsWith('fdk_') || key.length > 200) fail('TOKEN_INVALID');
      const found = await keys.findByHash(tokenHash(key));
      if (!found) fail('TOKEN_INVALID');
      return { shopId: found.shopId, keyId: found.id };
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
