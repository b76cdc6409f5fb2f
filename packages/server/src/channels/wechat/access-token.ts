import type { WechatApi } from './api.ts';
import { WechatApiError } from './api.ts';
import type { WechatStore } from './ports.ts';
import type { Sealer } from './accounts.ts';

/** How long one node may take to refresh before another may try. */
const REFRESH_LEASE_MS = 15_000;
const WAIT_STEP_MS = 100;

/**
 * The access token of each shop's account, one for the whole cluster: cached (sealed) in the
 * account's row; when it is due, the node that wins the row's refresh lease asks WeChat and the
 * others wait for its answer. It is renewed some minutes before WeChat's expiry, and at once when
 * WeChat says it is stale (40001, 42001: refreshed elsewhere, or revoked). Never logged.
 */
export function accessTokens(store: WechatStore, api: WechatApi, secrets: Sealer, now: () => number) {
  async function current(shopId: string): Promise<{ token: string; renewAt: number }> {
    const giveUpAt = now() + REFRESH_LEASE_MS * 2;
    while (now() < giveUpAt) {
      const cached = await store.token(shopId);
      if (!cached) throw new Error('The shop has no WeChat account.');
      if (cached.accessToken !== null && cached.expiresAt !== null && cached.expiresAt > now()) {
        return { token: await secrets.open(cached.accessToken), renewAt: cached.expiresAt };
      }
      if (await store.claimRefresh(shopId, now(), now() + REFRESH_LEASE_MS)) {
        try {
          const account = await store.accountOfShop(shopId);
          if (!account) throw new Error('The shop has no WeChat account.');
          const fresh = await api.token(account.appId, await secrets.open(account.appSecret));
          // Renew a tenth of the lifetime early, at most five minutes: WeChat gives 7,200 s.
          const lifetime = fresh.expiresInSeconds * 1000;
          const renewAt = now() + lifetime - Math.min(300_000, lifetime / 10);
          await store.saveToken(shopId, await secrets.seal(fresh.token), renewAt);
          return { token: fresh.token, renewAt };
        } catch (error) {
          await store.releaseRefresh(shopId);
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
    throw new Error('No WeChat access token: another node holds the refresh and has not finished.');
  }

  return {
    /** Runs `call` with the shop's token; once more with a new one if WeChat says the token is stale. */
    async withToken<T>(shopId: string, call: (token: string) => Promise<T>): Promise<T> {
      const first = await current(shopId);
      try {
        return await call(first.token);
      } catch (error) {
        if (!(error instanceof WechatApiError) || !error.staleToken) throw error;
        await store.dropToken(shopId, first.renewAt);
        return call((await current(shopId)).token);
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof accessTokens>;
