import { limits, type StaffRole } from '@frontdesk/protocol';
import { normaliseEmail } from './auth.ts';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { newId } from './ids.ts';
import type { StaffPatch } from './ports.ts';
import type { Principal, StaffRecord } from './records.ts';
import { hashPassword, newSecret } from './secrets.ts';

const rank: Record<StaffRole, number> = { agent: 0, admin: 1, owner: 2 };

/** The calling staff member, if their role is at least `role`. */
export function requireRole(principal: Principal, role: StaffRole): StaffRecord {
  if (principal.kind !== 'staff' || rank[principal.staff.role] < rank[role]) fail('FORBIDDEN');
  return principal.staff;
}

/** A name with something in it once trimmed, and not longer than names may be. */
function checkedName(raw: string): string {
  const name = raw.trim();
  if (name === '' || [...name].length > limits.nameMaxChars) fail('VALIDATION_FAILED', `A name needs 1 to ${limits.nameMaxChars} characters besides spaces.`);
  return name;
}

export interface NewStaff {
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  /** Generated (and returned once) when absent. */
  readonly password?: string;
  readonly capacity?: number | null;
}

export const PASSWORD_MIN = 10;

export function createStaffService({ store, events, now }: DomainDeps) {
  const service = {
    /** Platform operation (CLI and first start): no caller to authorise. */
    async createInShop(shopId: string, input: NewStaff): Promise<{ staff: StaffRecord; password: string }> {
      if (!(await store.shops.find(shopId))) fail('SHOP_NOT_FOUND');
      const password = input.password ?? newSecret().slice(0, 20);
      const email = normaliseEmail(input.email);
      // The HTTP schema checks these too; the CLI comes here directly (issue 22).
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) fail('VALIDATION_FAILED', `"${input.email}" is not an e-mail address.`);
      const name = checkedName(input.name);
      if (password.length < PASSWORD_MIN) fail('VALIDATION_FAILED', `Passwords need at least ${PASSWORD_MIN} characters.`);
      const staff: StaffRecord = {
        id: newId(),
        shopId,
        email,
        name,
        role: input.role,
        passwordHash: await hashPassword(password),
        capacity: input.capacity ?? null,
        disabledAt: null,
        createdAt: now(),
      };
      await store.staff.create(staff);
      await events.emit({ type: 'staff.created', staff });
      return { staff, password };
    },

    async create(principal: Principal, input: NewStaff) {
      const me = requireRole(principal, 'admin');
      if (rank[input.role] > rank[me.role]) fail('FORBIDDEN', 'You cannot create a role above your own.');
      return service.createInShop(me.shopId, input);
    },

    async list(principal: Principal): Promise<StaffRecord[]> {
      const me = requireRole(principal, 'admin');
      return store.staff.list(me.shopId);
    },

    async update(
      principal: Principal,
      id: string,
      patch: { name?: string; role?: StaffRole; capacity?: number | null; disabled?: boolean },
    ): Promise<StaffRecord> {
      const me = requireRole(principal, 'admin');
      const target = await store.staff.find(me.shopId, id);
      if (!target) fail('STAFF_NOT_FOUND');
      // Admins manage agents and admins; only owners touch owners or make them.
      if (me.role !== 'owner' && (target.role === 'owner' || patch.role === 'owner')) fail('FORBIDDEN');
      const losesOwner =
        target.role === 'owner' && target.disabledAt === null && ((patch.role !== undefined && patch.role !== 'owner') || patch.disabled === true);
      if (losesOwner && (await store.staff.countActiveOwners(me.shopId)) <= 1) fail('LAST_OWNER');
      const disabledAt = patch.disabled === undefined ? undefined : patch.disabled ? (target.disabledAt ?? now()) : null;
      const change: StaffPatch = {
        ...(patch.name !== undefined && { name: checkedName(patch.name) }),
        ...(patch.role !== undefined && { role: patch.role }),
        ...(patch.capacity !== undefined && { capacity: patch.capacity }),
        ...(disabledAt !== undefined && { disabledAt }),
      };
      await store.staff.update(me.shopId, id, change, now());
      // A disabled account is signed out everywhere at once, its open sockets included.
      if (patch.disabled === true) {
        await store.sessions.deleteForUser(id);
        await events.emit({ type: 'session.ended', userId: id, tokenHash: null, reason: 'ACCOUNT_DISABLED' });
      }
      const updated = { ...target, ...change };
      await events.emit({ type: 'staff.updated', staff: updated });
      return updated;
    },

    /** Platform operation (CLI): sets a new password and ends every session of the account. */
    async resetPassword(email: string, password?: string): Promise<{ staff: StaffRecord; password: string }> {
      const staff = await store.staff.findByEmail(normaliseEmail(email));
      if (!staff) fail('STAFF_NOT_FOUND');
      const next = password ?? newSecret().slice(0, 20);
      if (next.length < PASSWORD_MIN) fail('VALIDATION_FAILED', `Passwords need at least ${PASSWORD_MIN} characters.`);
      await store.staff.update(staff.shopId, staff.id, { passwordHash: await hashPassword(next) }, now());
      await store.sessions.deleteForUser(staff.id);
      // Heard by the nodes on this process's bus; others close the sockets at their next re-check.
      await events.emit({ type: 'session.ended', userId: staff.id, tokenHash: null, reason: 'TOKEN_INVALID' });
      return { staff, password: next };
    },
  };
  return service;
}
