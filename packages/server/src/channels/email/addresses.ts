import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The addresses a reply e-mail carries, signed so they cannot be guessed or forged:
 * - Reply-To `r.<conversation>.<signature>@<EMAIL_REPLY_DOMAIN>`: what the customer writes back
 *   goes into that conversation;
 * - the envelope sender `b.<conversation>.<signature>@…` (VERP): a bounce names the conversation
 *   whose customer's address failed.
 * Local parts are lowercase hex (MTAs may change case) and 59 characters, under RFC 5321's 64.
 * Unsubscribe tokens name the shop and the customer.
 */
export type AddressKind = 'reply' | 'bounce';

const prefix: Record<AddressKind, string> = { reply: 'r', bounce: 'b' };
const SIGNATURE_HEX = 24;

export function emailAddresses(key: () => Promise<Buffer>, domain: string) {
  const mac = async (data: string, length: number) => createHmac('sha256', await key()).update(data).digest('hex').slice(0, length);
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  return {
    domain,

    async address(kind: AddressKind, conversationId: string): Promise<string> {
      const compact = conversationId.replaceAll('-', '');
      return `${prefix[kind]}.${compact}.${await mac(`${kind}:${compact}`, SIGNATURE_HEX)}@${domain}`;
    },

    /** The conversation an address names, if it is one of ours and its signature holds. */
    async parse(address: string): Promise<{ kind: AddressKind; conversationId: string } | undefined> {
      const match = /^([rb])\.([0-9a-f]{32})\.([0-9a-f]{24})@(.+)$/.exec(address.trim().toLowerCase());
      if (!match || match[4] !== domain.toLowerCase()) return undefined;
      const kind: AddressKind = match[1] === 'r' ? 'reply' : 'bounce';
      const compact = match[2]!;
      if (!same(await mac(`${kind}:${compact}`, SIGNATURE_HEX), match[3]!)) return undefined;
      const conversationId = `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
      return { kind, conversationId };
    },

    async unsubscribeToken(shopId: string, customerId: string): Promise<string> {
      const data = `${shopId}.${customerId}`;
      return `${data}.${await mac(`unsubscribe:${data}`, 32)}`;
    },

    async readUnsubscribeToken(token: string): Promise<{ shopId: string; customerId: string } | undefined> {
      const [shopId, customerId, signature, extra] = token.split('.');
      if (!shopId || !customerId || !signature || extra !== undefined) return undefined;
      return same(await mac(`unsubscribe:${shopId}.${customerId}`, 32), signature) ? { shopId, customerId } : undefined;
    },
  };
}

export type EmailAddresses = ReturnType<typeof emailAddresses>;
