import type { Kysely } from 'kysely';
import { AppError } from '../domain/errors.ts';
import type { StaffStore } from '../domain/ports.ts';
import { isUniqueViolation } from './connect.ts';
import { recordOutbox } from './outbox.ts';
import { toStaff } from './rows.ts';
import type { Database } from './schema.ts';

export function staffStore(db: Kysely<Database>): StaffStore {
  return {
    async create(staff) {
      try {
        await db.transaction().execute(async (tx) => {
          await tx
            .insertInto('staff')
            .values({
              id: staff.id,
              shop_id: staff.shopId,
              email: staff.email,
              name: staff.name,
              role: staff.role,
              password_hash: staff.passwordHash,
              capacity: staff.capacity,
              disabled_at: staff.disabledAt,
              created_at: staff.createdAt,
              updated_at: staff.createdAt,
            })
            .execute();
          await recordOutbox(tx, [{ shopId: staff.shopId, type: 'staff.created', subjectId: staff.id, createdAt: staff.createdAt }]);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('EMAIL_TAKEN');
        throw error;
      }
    },
    async findByEmail(email) {
      const row = await db.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();
      return row && toStaff(row);
    },
    async find(shopId, id) {
      const row = await db
        .selectFrom('staff')
        .selectAll()
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toStaff(row);
    },
    async findMany(shopId, ids) {
      const rows: Array<Parameters<typeof toStaff>[0]> = [];
      // In chunks: a broadcast may list thousands.
      for (let i = 0; i < ids.length; i += 500) {
        rows.push(...(await db.selectFrom('staff').selectAll().where('shop_id', '=', shopId).where('id', 'in', ids.slice(i, i + 500)).execute()));
      }
      return rows.map(toStaff);
    },
    async list(shopId) {
      const rows = await db
        .selectFrom('staff')
        .selectAll()
        .where('shop_id', '=', shopId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toStaff);
    },
    async update(shopId, id, patch, now) {
      await db.transaction().execute(async (tx) => {
        const updated = await tx
          .updateTable('staff')
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.role !== undefined && { role: patch.role }),
            ...(patch.capacity !== undefined && { capacity: patch.capacity }),
            ...(patch.disabledAt !== undefined && { disabled_at: patch.disabledAt }),
            ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
            updated_at: now,
          })
          .where('shop_id', '=', shopId)
          .where('id', '=', id)
          .executeTakeFirst();
        // A new password is no change a webhook shows (nor does the domain emit staff.updated for it).
        const visible = patch.name !== undefined || patch.role !== undefined || patch.capacity !== undefined || patch.disabledAt !== undefined;
        if (visible && Number(updated.numUpdatedRows) > 0) {
          await recordOutbox(tx, [{ shopId, type: 'staff.updated', subjectId: id, createdAt: now }]);
        }
      });
    },
    async countActiveOwners(shopId) {
      const row = await db
        .selectFrom('staff')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('shop_id', '=', shopId)
        .where('role', '=', 'owner')
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
