import type { ShopSettings } from '@frontdesk/protocol';
import { businessHoursProblem } from './business-hours.ts';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import type { Principal, ShopRecord } from './records.ts';
import { newSecret } from './secrets.ts';
import { defaultShopSettings } from './shop-settings.ts';
import { requireRole } from './staff.ts';

export function createShops({ store, events, now }: DomainDeps) {
  return {
    /** Platform operation (CLI): shops are created by whoever runs the deployment. */
    async create(name: string): Promise<ShopRecord> {
      const shop: ShopRecord = {
        id: newId(),
        name,
        identitySecret: newSecret(),
        settings: defaultShopSettings,
        createdAt: now(),
      };
      await store.shops.create(shop);
      return shop;
    },

    /** What a public page may know of a shop: whether it exists, and where its widget may be framed. */
    async embedding(id: string): Promise<{ widgetOrigins: readonly string[] } | undefined> {
      const shop = await store.shops.find(id);
      return shop && { widgetOrigins: shop.settings.widgetOrigins };
    },

    /** The oldest shop, for the demo page. */
    firstId: () => store.shops.firstId(),

    async get(principal: Principal): Promise<ShopRecord> {
      const staff = requireRole(principal, 'admin');
      const shop = await store.shops.find(staff.shopId);
      if (!shop) fail('SHOP_NOT_FOUND');
      return shop;
    },

    async update(principal: Principal, patch: { name?: string; settings?: Partial<ShopSettings> }): Promise<ShopRecord> {
      const staff = requireRole(principal, 'admin');
      const shop = await store.shops.find(staff.shopId);
      if (!shop) fail('SHOP_NOT_FOUND');
      const settings = patch.settings === undefined ? undefined : { ...shop.settings, ...patch.settings };
      if (settings) {
        settings.widgetOrigins.forEach((origin) => {
          if (!isOrigin(origin)) fail('VALIDATION_FAILED', `"${origin}" is not an origin like https://shop.example.`);
        });
        // A logo arrives by upload (POST /shop/logo, sniffed and re-encoded); here it may only be kept or removed.
        if (settings.widget.logo !== null && settings.widget.logo !== shop.settings.widget.logo) {
          fail('VALIDATION_FAILED', 'settings.widget.logo may only be null or the current logo: upload a new one with POST /shop/logo.');
        }
        const problem = settings.businessHours && businessHoursProblem(settings.businessHours);
        if (problem) fail('VALIDATION_FAILED', problem);
      }
      await store.shops.update(
        shop.id,
        { ...(patch.name !== undefined && { name: patch.name }), ...(settings !== undefined && { settings }) },
        now(),
      );
      const updated = { ...shop, ...(patch.name !== undefined && { name: patch.name }), ...(settings && { settings }) };
      await events.emit({ type: 'shop.updated', shop: updated });
      return updated;
    },

    /** Owners only: invalidates every identity the site has signed so far. */
    async rotateIdentitySecret(principal: Principal): Promise<string> {
      const staff = requireRole(principal, 'owner');
      const secret = newSecret();
      await store.shops.update(staff.shopId, { identitySecret: secret }, now());
      return secret;
    },
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}
