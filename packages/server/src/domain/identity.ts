import type { CustomerAttributes } from '@frontdesk/protocol';
import { decodeJwt, jwtVerify } from 'jose';
import { cleanAttributes } from './customer-attributes.ts';
import { fail } from './errors.ts';
import type { ShopRecord } from './records.ts';
import { constantTimeEqual, hmacHex } from './secrets.ts';

/**
 * How a site proves who its customer is (DESIGN.md §1):
 * - a JWT, HS256, `exp` and `sub` required; `platform: true` asks for a platform-wide identity and
 *   is then verified with the platform secret only, so a shop can never mint one;
 * - Chatwoot-style `identifierHash = hex(HMAC-SHA256(secret, externalId))`.
 */
export type IdentityProof =
  | { readonly jwt: string }
  | { readonly externalId: string; readonly identifierHash: string; readonly platform?: boolean };

export interface VerifiedIdentity {
  readonly scope: 'shop' | 'platform';
  readonly externalId: string;
  readonly name?: string;
  readonly email?: string;
  /** From a JWT's `attributes` claim, cleaned; absent when the token has none. */
  readonly attributes?: CustomerAttributes;
}

const EXTERNAL_ID_MAX = 255;

export async function verifyIdentity(
  proof: IdentityProof,
  shop: ShopRecord,
  platformSecret: string | null,
): Promise<VerifiedIdentity> {
  if ('jwt' in proof) return verifyJwt(proof.jwt, shop, platformSecret);
  const scope = proof.platform === true ? 'platform' : 'shop';
  const secret = secretFor(scope, shop, platformSecret);
  if (!constantTimeEqual(hmacHex(secret, proof.externalId), proof.identifierHash.toLowerCase())) {
    fail('IDENTITY_INVALID', 'The identifier hash does not match.');
  }
  return { scope, externalId: proof.externalId };
}

async function verifyJwt(jwt: string, shop: ShopRecord, platformSecret: string | null): Promise<VerifiedIdentity> {
  let claimed: Record<string, unknown>;
  try {
    claimed = decodeJwt(jwt);
  } catch {
    return fail('IDENTITY_INVALID', 'The identity token is not a JWT.');
  }
  // The claim only chooses which key must have signed the token; it proves nothing by itself.
  const scope = claimed.platform === true ? 'platform' : 'shop';
  const secret = secretFor(scope, shop, platformSecret);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    }));
  } catch {
    return fail('IDENTITY_INVALID', 'The identity token is invalid, expired or has no exp.');
  }
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > EXTERNAL_ID_MAX) {
    fail('IDENTITY_INVALID', 'The identity token has no usable sub.');
  }
  const attributes = cleanAttributes(payload.attributes);
  return {
    scope,
    externalId: sub,
    ...(typeof payload.name === 'string' && { name: payload.name.slice(0, 120) }),
    ...(typeof payload.email === 'string' && { email: payload.email.slice(0, 254) }),
    ...(attributes !== undefined && { attributes }),
  };
}

function secretFor(scope: 'shop' | 'platform', shop: ShopRecord, platformSecret: string | null): string {
  if (scope === 'shop') return shop.identitySecret;
  if (platformSecret === null) fail('PLATFORM_IDENTITY_DISABLED');
  return platformSecret;
}
