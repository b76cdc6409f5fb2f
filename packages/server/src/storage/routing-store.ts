import { sql, type Kysely, type Transaction } from 'kysely';
import type { InquiryStatus } from '@frontdesk/protocol';
import { AppError } from '../domain/errors.ts';
import type { InquiryMove } from '../domain/inquiry-states.ts';
import type {
  AgentCandidate,
  AgentPresenceRow,
  Assignment,
  PresenceChange,
  QueuedInquiry,
  RoutingStore,
} from '../domain/ports.ts';
import type { Presence } from '../domain/records.ts';
import type { Engine } from './connect.ts';
import { inquiryData, recordOutbox } from './outbox.ts';
import { routingLookups } from './routing-lookups.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database>;

/** How far down the queue a drain looks past inquiries that only a skipped agent could take. */
const PICK_WINDOW = 20;

/**
 * Routing state in the database, so that it holds across nodes (docs/routing.md):
 * - an inquiry changes hands only by a conditional update on its status (`WHERE status = 'queued'`);
 * - an agent's load moves only by a conditional update on their counter (`WHERE open_inquiries < cap`);
 * - every transaction locks the conversation row first, the order the send path uses too.
 * On PostgreSQL the queue is taken with `FOR UPDATE … SKIP LOCKED`: nodes draining one queue take
 * different inquiries instead of waiting on each other.
 */
export function routingStore(db: Kysely<Database>, engine: Engine): RoutingStore {
  const pg = engine === 'postgres';

  /** Locks a shop's conversation (PostgreSQL; SQLite's IMMEDIATE transaction holds the only write lock). */
  async function lockConversation(tx: Tx, shopId: string, conversationId: string) {
    let q = tx
      .selectFrom('conversations')
      .select(['id', 'customer_id', 'current_inquiry_id', 'status', 'assignee_id'])
      .where('id', '=', conversationId)
      .where('shop_id', '=', shopId)
      .where('kind', '=', 'service');
    if (pg) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new AppError('CONVERSATION_NOT_FOUND');
    return row;
  }

  /** Recomputes an agent's presence from their devices; returns the change, if any. */
  async function settle(tx: Tx, staffId: string, shopId: string, now: number, graceMs: number): Promise<PresenceChange> {
    const before = await tx.selectFrom('agents').select(['presence', 'offline_at']).where('staff_id', '=', staffId).executeTakeFirst();
    const devices = await tx.selectFrom('agent_devices').select(sql<number>`count(*)`.as('n')).where('staff_id', '=', staffId).executeTakeFirstOrThrow();
    const offlineAt = Number(devices.n) > 0 ? null : (before?.offline_at ?? now + graceMs);
    if (!before) {
      await tx
        .insertInto('agents')
        .values({ staff_id: staffId, shop_id: shopId, presence: 'offline', offline_at: offlineAt, last_assigned_at: null, updated_at: now })
        .execute();
    }
    const presence = await presenceFromDevices(tx, staffId, now, offlineAt, (before?.presence as Presence | undefined) ?? 'offline');
    await tx.updateTable('agents').set({ presence, offline_at: offlineAt, updated_at: now }).where('staff_id', '=', staffId).execute();
    return { staffId, shopId, before: (before?.presence as Presence | undefined) ?? 'offline', after: presence };
  }

  /** Online with any active device, away with only away ones; with none, the last presence holds until `offlineAt`. */
  async function presenceFromDevices(tx: Tx, staffId: string, now: number, offlineAt: number | null, previous: Presence): Promise<Presence> {
    const devices = await tx
      .selectFrom('agent_devices')
      .select([sql<number>`count(*)`.as('n'), sql<number>`sum(case when away = 0 then 1 else 0 end)`.as('active')])
      .where('staff_id', '=', staffId)
      .executeTakeFirstOrThrow();
    if (Number(devices.n) > 0) return Number(devices.active ?? 0) > 0 ? 'online' : 'away';
    if (offlineAt !== null && offlineAt > now) return previous;
    return 'offline';
  }

  async function lockAgent(tx: Tx, staffId: string) {
    let q = tx.selectFrom('agents').select(['staff_id', 'shop_id', 'presence']).where('staff_id', '=', staffId);
    if (pg) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** Takes one unit of the agent's capacity, or fails: offline, away or full agents take nothing. */
  async function takeCapacity(tx: Tx, staffId: string, capacity: number, now: number): Promise<boolean> {
    const result = await tx
      .updateTable('agents')
      .set((eb) => ({ open_inquiries: eb('open_inquiries', '+', 1), last_assigned_at: now, updated_at: now }))
      .where('staff_id', '=', staffId)
      .where('presence', '=', 'online')
      .where((eb) => (capacity === 0 ? eb.lit(true) : eb('open_inquiries', '<', capacity)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async function releaseCapacity(tx: Tx, staffId: string, now: number): Promise<void> {
    await tx
      .updateTable('agents')
      .set((eb) => ({ open_inquiries: eb('open_inquiries', '-', 1), updated_at: now }))
      .where('staff_id', '=', staffId)
      .where('open_inquiries', '>', 0)
      .execute();
  }

  async function joinAsAgent(tx: Tx, conversationId: string, shopId: string, staffId: string, now: number): Promise<void> {
    await tx
      .insertInto('members')
      .values({ conversation_id: conversationId, user_id: staffId, user_kind: 'staff', shop_id: shopId, role: 'agent', joined_at: now })
      // A colleague who only read the conversation (role 'viewer') takes part now.
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ role: 'agent' }).where('members.role', '=', 'viewer'))
      .execute();
  }

  async function candidates(tx: Tx, shopId: string, defaultCapacity: number): Promise<AgentCandidate[]> {
    const q = tx
      .selectFrom('agents as a')
      .innerJoin('staff as s', 's.id', 'a.staff_id')
      .select(['a.staff_id', 'a.open_inquiries', 'a.last_assigned_at', 's.capacity'])
      .where('a.shop_id', '=', shopId)
      .where('a.presence', '=', 'online')
      .where('s.disabled_at', 'is', null);
    const rows = await q.orderBy('a.staff_id').execute();
    return rows
      .map((r) => ({ staffId: r.staff_id, openInquiries: r.open_inquiries, lastAssignedAt: r.last_assigned_at, capacity: r.capacity ?? defaultCapacity }))
      .filter((a) => a.capacity === 0 || a.openInquiries < a.capacity);
  }

  async function previousAgent(tx: Tx, conversationId: string, currentInquiryId: string): Promise<string | null> {
    const row = await tx
      .selectFrom('inquiries')
      .select('assignee_id')
      .where('conversation_id', '=', conversationId)
      .where('id', '<>', currentInquiryId)
      .where('assignee_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.assignee_id ?? null;
  }

  /**
   * Runs a move the domain decided (domain/inquiry-states.ts) and decides nothing: capacity follows
   * the assignee (released by an agent leaving assigned, taken by one arriving, or AGENT_UNAVAILABLE),
   * and the inquiry changes only if it still stands where the move starts (else INVALID_TRANSITION:
   * someone else moved it first).
   */
  async function applyMove(tx: Tx, inquiry: { id: string; conversationId: string; shopId: string }, move: InquiryMove, now: number): Promise<void> {
    const { from, to } = move;
    const newAssignee = to.status === 'assigned' && to.assigneeId !== null && (from.status !== 'assigned' || from.assigneeId !== to.assigneeId);
    if (newAssignee && !(await takeCapacity(tx, to.assigneeId!, move.capacity, now))) throw new AppError('AGENT_UNAVAILABLE');
    if (from.status === 'assigned' && from.assigneeId !== null && (to.status !== 'assigned' || to.assigneeId !== from.assigneeId)) {
      await releaseCapacity(tx, from.assigneeId, now);
    }
    const moved = await tx
      .updateTable('inquiries')
      .set({
        status: to.status,
        assignee_id: to.assigneeId,
        ...(to.status === 'assigned' && { assigned_at: now }),
        // Back in the queue: at its end, behind everyone already waiting (issue 22).
        ...(to.status === 'queued' && { assigned_at: null, queued_at: now }),
        ...(to.status === 'closed' && { closed_at: now }),
        // Taken from the queue: who it must not go back to stays (the policy leaves it alone).
        ...((move.skipAgentId !== null || to.status !== 'assigned') && { skip_agent_id: move.skipAgentId }),
      })
      .where('id', '=', inquiry.id)
      .where('status', '=', from.status)
      .where((eb) => (from.assigneeId === null ? eb('assignee_id', 'is', null) : eb('assignee_id', '=', from.assigneeId)))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new AppError('INVALID_TRANSITION', 'The inquiry changed meanwhile.');
    await tx
      .updateTable('conversations')
      .set({ status: to.status, ...(to.status !== 'closed' && { assignee_id: to.assigneeId }), updated_at: now })
      .where('id', '=', inquiry.conversationId)
      .execute();
    if (newAssignee) await joinAsAgent(tx, inquiry.conversationId, inquiry.shopId, to.assigneeId!, now);
    await recordOutbox(tx, [{ shopId: inquiry.shopId, type: move.event, subjectId: inquiry.conversationId, data: inquiryData(inquiry.id, move), createdAt: now }]);
  }

  return {
    ...routingLookups(db),

    async deviceConnected(device, now, graceMs) {
      // The agent's row exists before anyone locks it: first connections in parallel must not race to insert it.
      await db
        .insertInto('agents')
        .values({ staff_id: device.staffId, shop_id: device.shopId, presence: 'offline', offline_at: null, last_assigned_at: null, updated_at: now })
        .onConflict((oc) => oc.column('staff_id').doNothing())
        .execute();
      return db.transaction().execute(async (tx) => {
        await lockAgent(tx, device.staffId);
        await tx
          .insertInto('agent_devices')
          .values({ id: device.id, staff_id: device.staffId, shop_id: device.shopId, node_id: device.nodeId, away: device.away ? 1 : 0, seen_at: now })
          .onConflict((oc) => oc.column('id').doUpdateSet({ away: device.away ? 1 : 0, seen_at: now }))
          .execute();
        return settle(tx, device.staffId, device.shopId, now, graceMs);
      });
    },

    async deviceAway(deviceId, away, now, graceMs) {
      return db.transaction().execute(async (tx) => {
        const device = await tx.selectFrom('agent_devices').select(['staff_id', 'shop_id']).where('id', '=', deviceId).executeTakeFirst();
        if (!device) return null;
        await lockAgent(tx, device.staff_id);
        await tx.updateTable('agent_devices').set({ away: away ? 1 : 0, seen_at: now }).where('id', '=', deviceId).execute();
        return settle(tx, device.staff_id, device.shop_id, now, graceMs);
      });
    },

    async deviceDisconnected(deviceId, now, graceMs) {
      return db.transaction().execute(async (tx) => {
        const device = await tx.selectFrom('agent_devices').select(['staff_id', 'shop_id']).where('id', '=', deviceId).executeTakeFirst();
        if (!device) return null;
        await lockAgent(tx, device.staff_id);
        await tx.deleteFrom('agent_devices').where('id', '=', deviceId).execute();
        return settle(tx, device.staff_id, device.shop_id, now, graceMs);
      });
    },

    async refreshDevices(nodeId, now) {
      await db.updateTable('agent_devices').set({ seen_at: now }).where('node_id', '=', nodeId).execute();
    },

    async forgetDevices(nodeId, seenBefore) {
      let q = db.deleteFrom('agent_devices');
      if (nodeId !== null) q = q.where('node_id', '=', nodeId);
      if (seenBefore !== undefined) q = q.where('seen_at', '<', seenBefore);
      await q.execute();
    },

    async expirePresence(now, staleBefore, graceMs) {
      // Devices of a node that stopped refreshing them (it crashed) are gone.
      await db.deleteFrom('agent_devices').where('seen_at', '<', staleBefore).execute();
      const due = await db
        .selectFrom('agents as a')
        .select(['a.staff_id', 'a.shop_id'])
        .where('a.presence', '<>', 'offline')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('agent_devices as d').select('d.id').whereRef('d.staff_id', '=', 'a.staff_id'))))
        .where((eb) => eb.or([eb('a.offline_at', 'is', null), eb('a.offline_at', '<=', now)]))
        .execute();
      const changes: PresenceChange[] = [];
      for (const agent of due) {
        const change = await db.transaction().execute(async (tx) => {
          await lockAgent(tx, agent.staff_id);
          return settle(tx, agent.staff_id, agent.shop_id, now, graceMs);
        });
        if (change.before !== change.after) changes.push(change);
      }
      return changes;
    },

    async agents(shopId) {
      const rows = await db
        .selectFrom('staff as s')
        .leftJoin('agents as a', 'a.staff_id', 's.id')
        .select(['s.id', 's.capacity', 'a.presence', 'a.open_inquiries', 'a.last_assigned_at'])
        .where('s.shop_id', '=', shopId)
        .where('s.disabled_at', 'is', null)
        .orderBy('s.created_at')
        .execute();
      return rows.map(
        (r): AgentPresenceRow => ({
          staffId: r.id,
          presence: (r.presence as Presence | null) ?? 'offline',
          openInquiries: r.open_inquiries ?? 0,
          capacity: r.capacity,
          lastAssignedAt: r.last_assigned_at ?? null,
        }),
      );
    },

    async assignNext(shopId, defaultCapacity, choose, now) {
      return db.transaction().execute(async (tx): Promise<Assignment | 'empty' | 'no-agent'> => {
        // The oldest queued inquiries; the first one an agent may take goes. Usually that is the
        // oldest; it is passed over only when its one available agent is the one it must skip.
        const pick = tx
          .selectFrom('inquiries as i')
          .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
          .select(['i.id', 'i.conversation_id', 'i.customer_id', 'i.created_at', 'i.skip_agent_id'])
          .where('i.shop_id', '=', shopId)
          .where('i.status', '=', 'queued')
          .orderBy('i.queued_at')
          .orderBy('i.id')
          .limit(PICK_WINDOW);
        const rows = await pick.execute();
        if (rows.length === 0) return 'empty';
        const available = await candidates(tx, shopId, defaultCapacity);
        for (const row of rows) {
          const eligible = available.filter((a) => a.staffId !== row.skip_agent_id);
          if (eligible.length === 0) continue;
          // The window was read without locks; only the chosen conversation is locked. One another
          // node is assigning is skipped, and the inquiry must still be queued once it is ours.
          if (pg) {
            const locked = await tx
              .selectFrom('conversations as c')
              .innerJoin('inquiries as i', 'i.conversation_id', 'c.id')
              .select('c.id')
              .where('c.id', '=', row.conversation_id)
              .where('i.id', '=', row.id)
              .where('i.status', '=', 'queued')
              .forUpdate('c')
              .skipLocked()
              .executeTakeFirst();
            if (!locked) continue;
          }
          const queued: QueuedInquiry = {
            id: row.id,
            conversationId: row.conversation_id,
            customerId: row.customer_id,
            createdAt: row.created_at,
            previousAgentId: await previousAgent(tx, row.conversation_id, row.id),
          };
          const move = choose(queued, eligible);
          if (move === null) return 'no-agent';
          try {
            await applyMove(tx, { id: row.id, conversationId: row.conversation_id, shopId }, move, now);
          } catch (error) {
            // The agent filled up meanwhile (another node assigned to them): the next drain goes on.
            if (error instanceof AppError && error.code === 'AGENT_UNAVAILABLE') return 'no-agent';
            throw error;
          }
          return { inquiryId: row.id, conversationId: row.conversation_id, customerId: row.customer_id, agentId: move.to.assigneeId, previousAgentId: null };
        }
        return 'no-agent';
      });
    },

    async moveInquiry(shopId, conversationId, decide, now) {
      return db.transaction().execute(async (tx) => {
        const conversation = await lockConversation(tx, shopId, conversationId);
        const inquiry =
          conversation.current_inquiry_id === null
            ? undefined
            : await tx.selectFrom('inquiries').select(['id', 'status', 'assignee_id', 'customer_id']).where('id', '=', conversation.current_inquiry_id).executeTakeFirst();
        const move = decide(inquiry ? { status: inquiry.status as InquiryStatus, assigneeId: inquiry.assignee_id } : null);
        if (move === null || !inquiry) return null;
        await applyMove(tx, { id: inquiry.id, conversationId, shopId }, move, now);
        return {
          inquiryId: inquiry.id,
          conversationId,
          customerId: inquiry.customer_id,
          agentId: move.to.status === 'closed' ? move.from.assigneeId : move.to.assigneeId,
          previousAgentId: move.from.assigneeId,
        };
      });
    },

  };
}
