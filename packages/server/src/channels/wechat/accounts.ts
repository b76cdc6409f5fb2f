import { randomBytes } from 'node:crypto';
import type { WechatAccount, WechatAccountBody } from '@frontdesk/protocol';
import type { Principal } from '../../domain/records.ts';
import { requireRole } from '../../domain/staff.ts';
import type { StoredWechatAccount, WechatStore } from './ports.ts';

/** Seals secrets at rest (integrations/webhooks/secret-box.ts, under a server key of WeChat's own). */
export interface Sealer {
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

/** The opened account the callback and the workers use. */
export interface WechatAccountKeys {
  readonly shopId: string;
  readonly appId: string;
  readonly originalId: string;
  readonly token: string;
  readonly encodingAesKey: string;
}

/** A shop's official account: connected by its owner or admins, its secrets sealed and never shown again. */
export function wechatAccounts(store: WechatStore, secrets: Sealer, publicUrl: string, now: () => number) {
  const present = (account: StoredWechatAccount): WechatAccount => ({
    appId: account.appId,
    originalId: account.originalId,
    callbackUrl: `${publicUrl}/channels/wechat/${account.callbackKey}`,
    connectedAt: new Date(account.createdAt).toISOString(),
  });

  return {
    async get(principal: Principal): Promise<WechatAccount | null> {
      const staff = requireRole(principal, 'admin');
      const account = await store.accountOfShop(staff.shopId);
      return account ? present(account) : null;
    },

    /** Connects or replaces the account; a new callback URL each time, so an old one stops working. */
    async connect(principal: Principal, body: WechatAccountBody): Promise<WechatAccount> {
      const staff = requireRole(principal, 'admin');
      const account: StoredWechatAccount = {
        shopId: staff.shopId,
        appId: body.appId,
        originalId: body.originalId,
        callbackKey: randomBytes(18).toString('base64url'),
        appSecret: await secrets.seal(body.appSecret),
        callbackToken: await secrets.seal(body.token),
        encodingAesKey: await secrets.seal(body.encodingAesKey),
        createdAt: now(),
      };
      await store.saveAccount(account, now());
      return present((await store.accountOfShop(staff.shopId)) ?? account);
    },

    async disconnect(principal: Principal): Promise<boolean> {
      return store.removeAccount(requireRole(principal, 'admin').shopId);
    },

    async byCallbackKey(callbackKey: string): Promise<WechatAccountKeys | undefined> {
      const account = await store.accountByCallbackKey(callbackKey);
      if (!account) return undefined;
      return {
        shopId: account.shopId,
        appId: account.appId,
        originalId: account.originalId,
        token: await secrets.open(account.callbackToken),
        encodingAesKey: await secrets.open(account.encodingAesKey),
      };
    },
  };
}

export type WechatAccounts = ReturnType<typeof wechatAccounts>;
