import { randomBytes } from 'node:crypto';
import type { AttachmentStore } from '../../domain/ports.ts';
import type { WebhookIo } from '../../domain/webhooks.ts';
import { checkEndpointUrl, type AddressPolicy, type Lookup } from './address-policy.ts';
import { secretBox, type SecretBox } from './secret-box.ts';

export interface WebhookSettings {
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  readonly retryMs: number;
}

/** The deployment's key for endpoint secrets, in `server_keys` beside the attachment link key. */
const SECRETS_KEY = 'webhook-secrets';

/**
 * What the webhook rules (domain/webhooks.ts) and the delivery job share: the address policy and
 * the box endpoint secrets are sealed in. `lookup` is the resolver both use (a test swaps it).
 */
export function webhookOutbound(settings: WebhookSettings, keys: Pick<AttachmentStore, 'serverKey'>, lookup: Lookup, now: () => number) {
  const policy: AddressPolicy = { allowHttp: settings.allowHttp, allowPrivate: settings.allowPrivate, lookup };
  let key: Promise<Buffer> | undefined;
  const secrets: SecretBox = secretBox(() => {
    key ??= keys.serverKey(SECRETS_KEY, () => randomBytes(32).toString('base64url'), now()).then((k) => Buffer.from(k, 'base64url'));
    // A failed read is not remembered: the next call asks again.
    key.catch(() => (key = undefined));
    return key;
  });
  const io: WebhookIo = { checkUrl: (url) => checkEndpointUrl(url, policy), seal: secrets.seal, retryMs: settings.retryMs };
  return { policy, secrets, io };
}

export type WebhookOutbound = ReturnType<typeof webhookOutbound>;
