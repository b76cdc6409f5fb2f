import { hmacHex } from '../../domain/secrets.ts';

export const USER_AGENT = 'Frontdesk-Webhooks/1';

/**
 * The headers of one attempt (docs/webhooks.md#verifying): the HMAC covers the timestamp and the
 * body, so a captured request cannot be replayed later with a new timestamp.
 */
export function signedHeaders(secret: string, body: string, delivery: { id: string; event: string }, timestamp: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-frontdesk-delivery': delivery.id,
    'x-frontdesk-event': delivery.event,
    'x-frontdesk-timestamp': String(timestamp),
    'x-frontdesk-signature': `sha256=${hmacHex(secret, `${timestamp}.${body}`)}`,
  };
}
