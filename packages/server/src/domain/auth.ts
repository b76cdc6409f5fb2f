import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { Principal, StaffRecord } from './records.ts';
import { decoyPasswordHash, newToken, tokenHash, verifyPassword } from './secrets.ts';

const HOUR = 3_600_000;

export interface IssuedSession {
  readonly token: string;
  readonly expiresAt: number;
}

export function createAuth({ store, events, now, settings }: DomainDeps) {
  return {
    async login(email: string, password: string): Promise<IssuedSession & { staff: StaffRecord }> {
      const staff = await store.staff.findByEmail(normaliseEmail(email));
      // Verify against a decoy when the account does not exist: the answer takes as long either way.
      const ok = await verifyPassword(password, staff?.passwordHash ?? decoyPasswordHash);
      if (!staff || !ok) fail('INVALID_CREDENTIALS');
      if (staff.disabledAt !== null) fail('ACCOUNT_DISABLED');
      const session = await issue('staff', staff.id, staff.shopId, settings.staffSessionHours);
      return { ...session, staff };
    },

    issueCustomerSession: (customerId: string, shopId: string) =>
      issue('customer', customerId, shopId, settings.customerSessionHours),

    async logout(principal: Principal): Promise<void> {
      await store.sessions.delete(principal.tokenHash);
      const userId = principal.kind === 'staff' ? principal.staff.id : principal.customer.id;
      await events.emit({ type: 'session.ended', userId, tokenHash: principal.tokenHash, reason: 'TOKEN_INVALID' });
    },

    /** Resolves a bearer token to who is calling; every failure looks the same to the caller. */
    async authenticate(token: string | undefined): Promise<Principal> {
      if (token === undefined || token === '') fail('AUTH_REQUIRED');
      if (token.length > 200) fail('TOKEN_INVALID');
      const hash = tokenHash(token);
      const session = await store.sessions.find(hash, now());
      if (!session) fail('TOKEN_INVALID');
      if (session.userKind === 'staff') {
        const staff = session.shopId === null ? undefined : await store.staff.find(session.shopId, session.userId);
        if (!staff) fail('TOKEN_INVALID');
        if (staff.disabledAt !== null) fail('ACCOUNT_DISABLED');
        return { kind: 'staff', staff, tokenHash: hash };
      }
      const customer = await store.customers.find(session.userId);
      if (!customer) fail('TOKEN_INVALID');
      return { kind: 'customer', customer, shopId: session.shopId, tokenHash: hash };
    },
  };

  async function issue(kind: 'staff' | 'customer', userId: string, shopId: string, hours: number): Promise<IssuedSession> {
    const token = newToken(kind === 'staff' ? 'fds' : 'fdc');
    const expiresAt = now() + hours * HOUR;
    await store.sessions.create({ tokenHash: tokenHash(token), userKind: kind, userId, shopId, expiresAt }, now());
    return { token, expiresAt };
  }
}

export type Auth = ReturnType<typeof createAuth>;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
