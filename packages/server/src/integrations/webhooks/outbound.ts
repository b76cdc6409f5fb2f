import type { AttachmentStore } from '../../domain/ports.ts';
import type { WebhookIo } from '../../domain/webhooks.ts';
import { checkEndpointUrl, type AddressPolicy, type Lookup } from './address-policy.ts';
import { serverKeyBox, type SecretBox } from './secret-box.ts';

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
  const secrets: SecretBox = serverKeyBox(keys, SECRETS_KEY, now);
  const io: WebhookIo = { checkUrl: (url) => checkEndpointUrl(url, policy), seal: secrets.seal, retryMs: settings.retryMs };
  return { policy, secrets, io };
}

export type WebhookOutbound = ReturnType<typeof webhookOutbound>;
