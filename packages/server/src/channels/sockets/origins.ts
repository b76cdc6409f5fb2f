import type { Principal, ShopRecord } from '../../domain/records.ts';

export interface OriginPolicyOptions {
  /** The console and the widget iframe are served from here. */
  readonly publicOrigin: string;
  readonly allowedOrigins: readonly string[];
  /** Every origin some shop lets embed its widget. */
  readonly widgetOrigins: () => Promise<readonly string[]>;
  readonly findShop: (id: string) => Promise<ShopRecord | undefined>;
}

/** A backstop only: a change of any shop's settings clears the cache on every node at once (forget). */
const CACHE_MS = 30_000;

/**
 * Browsers send Origin on a WebSocket upgrade; other clients (the Node SDK, mobile apps) send none
 * and are judged by their token alone. Checked twice: at the upgrade against every origin that
 * could be right for someone, and after `auth` against what is right for this user — the console
 * origin for staff, the shop's widget origins for its customers.
 */
export function originPolicy(options: OriginPolicyOptions) {
  let cached: { at: number; origins: Set<string> } | null = null;
  const ours = (origin: string) => origin === options.publicOrigin || options.allowedOrigins.includes(origin);

  return {
    async mayUpgrade(origin: string | null): Promise<boolean> {
      if (origin === null || ours(origin)) return true;
      if (cached === null || Date.now() - cached.at > CACHE_MS) {
        cached = { at: Date.now(), origins: new Set(await options.widgetOrigins()) };
      }
      return cached.origins.has(origin);
    },

    /** A shop's widget origins changed (on any node): the next upgrade asks the database again. */
    forget(): void {
      cached = null;
    },

    async mayAuthenticate(origin: string | null, principal: Principal): Promise<boolean> {
      if (origin === null || ours(origin)) return true;
      if (principal.kind === 'staff' || principal.shopId === null) return false;
      const shop = await options.findShop(principal.shopId);
      return shop?.settings.widgetOrigins.includes(origin) ?? false;
    },
  };
}
