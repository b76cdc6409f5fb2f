import type { Agent, Notice, ShopSettings } from '@frontdesk/protocol';
import type { DomainDeps } from './domain.ts';
import { AppError, fail } from './errors.ts';
import { postSystemMessage } from './messages/system.ts';
import type { AgentStats, Assignment, PresenceChange } from './ports.ts';
import type { InquiryChanged } from './events.ts';
import { decideInquiry, type InquiryRequest } from './inquiry-states.ts';
import type { ConversationFacts, Principal, StaffRecord } from './records.ts';
import { requireRole } from './staff.ts';
import { routingLine } from './routing-notices.ts';
import { chooseAgent } from './routing-strategies.ts';
import { checkPeriod } from './stats.ts';

export interface RoutingOptions {
  /** This process: devices are recorded per node, so a crashed node's devices can be dropped. */
  readonly nodeId: string;
  /** After the last device disconnects, the agent stays as they were this long (a reload does not flap). */
  readonly graceMs: number;
  /** When agents come online, wait this long before handing out the backlog, so agents arriving together share it. */
  readonly settleMs: number;
  /** Devices a node has not refreshed for this long are dropped (the node is gone). */
  readonly deviceTtlMs: number;
  /** How often each node's sweep runs (and refreshes its devices). */
  readonly sweepMs: number;
  /** The only node (SQLite): at start every recorded device is from a previous run. */
  readonly singleNode: boolean;
}

type InquiryChange = InquiryChanged['type'] extends `inquiry.${infer C}` ? C : never;

/** Customers further back than this are told their position only when they reach it. */
const QUEUE_POSITIONS_SENT = 100;

export function createRouting(deps: DomainDeps, options: RoutingOptions) {
  const { store, events, now } = deps;
  const draining = new Map<string, Promise<void>>();
  const drainAgain = new Set<string>();
  const settleTimers = new Map<string, NodeJS.Timeout>();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  /** Shops with staff connected to this node: the ones its sweep looks after. */
  const activeShops = new Map<string, number>();
  const sentPositions = new Map<string, number>();
  let closed = false;

  async function shopSettings(shopId: string) {
    const shop = await store.shops.find(shopId);
    if (!shop) fail('SHOP_NOT_FOUND');
    return shop.settings;
  }

  async function capacityOf(staff: StaffRecord): Promise<number> {
    return staff.capacity ?? (await shopSettings(staff.shopId)).defaultCapacity;
  }

  /** A system message in the timeline, delivered like any other message: the notice, its English words, its audience. */
  async function postSystem(facts: ConversationFacts, notice: Notice): Promise<void> {
    const ids = [...new Set([notice.actorId, ...notice.userIds].filter((id): id is string => id !== null))];
    const names = new Map(await Promise.all(ids.map(async (id) => [id, (await store.staff.find(facts.shopId, id))?.name ?? 'An agent'] as const)));
    const line = routingLine(notice, (id) => (id === null ? 'An agent' : (names.get(id) ?? 'An agent')));
    await postSystemMessage(deps, facts, line.text, { visibility: line.visibility, notice });
  }

  /** The inquiry moved: the conversation as it stands now goes with the event. */
  async function announce(conversationId: string, change: InquiryChange): Promise<void> {
    const conversation = await store.conversations.find(conversationId);
    if (conversation) await events.emit({ type: `inquiry.${change}`, conversation });
  }

  /** A staff member's request of an inquiry: decided by the table (inquiry-states.ts), applied by storage. */
  async function move(shopId: string, conversationId: string, request: InquiryRequest): Promise<Assignment> {
    const moved = await store.routing.moveInquiry(shopId, conversationId, (current) => decideInquiry(current, request), now());
    if (moved === null) fail('INVALID_TRANSITION');
    return moved;
  }

  /** A sweep's request: applied if the inquiry still stands where it was seen; null when it moved on meanwhile. */
  function moveIfStill(shopId: string, conversationId: string, request: InquiryRequest, at: number): Promise<Assignment | null> {
    return store.routing.moveInquiry(shopId, conversationId, (current) => decideInquiry(current, request), at);
  }

  async function factsOf(conversationId: string): Promise<ConversationFacts> {
    const facts = await store.conversations.facts(conversationId);
    if (!facts) fail('CONVERSATION_NOT_FOUND');
    return facts;
  }

  async function assigned(assignment: Assignment, change: InquiryChange, notice: Notice): Promise<void> {
    // Out of the queue (or back in it): the next position sent must not be mistaken for a repeat.
    sentPositions.delete(assignment.conversationId);
    await postSystem(await factsOf(assignment.conversationId), notice);
    await announce(assignment.conversationId, change);
  }

  /** Hands the shop's queue out, oldest first, until it is empty or nobody can take more. */
  async function drain(shopId: string): Promise<void> {
    const settings = await shopSettings(shopId);
    if (settings.routingStrategy !== 'manual') {
      for (;;) {
        const result = await store.routing.assignNext(
          shopId,
          settings.defaultCapacity,
          (inquiry, candidates) => {
            const agentId = chooseAgent(settings.routingStrategy, inquiry, candidates);
            const agent = candidates.find((a) => a.staffId === agentId);
            return agent ? decideInquiry({ status: 'queued', assigneeId: null }, { kind: 'assign', agentId: agent.staffId, capacity: agent.capacity }) : null;
          },
          now(),
        );
        if (result === 'empty' || result === 'no-agent') break;
        await assigned(result, 'assigned', { code: 'inquiry.assigned', actorId: result.agentId, userIds: result.agentId === null ? [] : [result.agentId] });
      }
    }
    await publishQueue(shopId);
  }

  /** One drain per shop at a time on this node; a request during a drain runs it once more after. */
  function requestDrain(shopId: string): Promise<void> {
    // While agents are arriving (the settle window) the backlog waits for all of them.
    if (closed || settleTimers.has(shopId)) return Promise.resolve();
    const running = draining.get(shopId);
    if (running) {
      drainAgain.add(shopId);
      return running;
    }
    const run = (async () => {
      try {
        do {
          drainAgain.delete(shopId);
          await drain(shopId);
        } while (drainAgain.has(shopId) && !closed);
      } finally {
        draining.delete(shopId);
      }
    })();
    draining.set(shopId, run);
    return run;
  }

  function requestDrainSoon(shopId: string): void {
    if (settleTimers.has(shopId) || closed) return;
    const timer = setTimeout(() => {
      settleTimers.delete(shopId);
      void requestDrain(shopId).catch(() => {});
    }, options.settleMs);
    timer.unref();
    settleTimers.set(shopId, timer);
  }

  /** Tells the customers at the front of the queue where they stand, when it changed. */
  async function publishQueue(shopId: string): Promise<void> {
    const queue = await store.routing.queue(shopId, QUEUE_POSITIONS_SENT);
    for (const [index, entry] of queue.entries()) {
      const position = index + 1;
      if (sentPositions.get(entry.conversationId) === position) continue;
      sentPositions.set(entry.conversationId, position);
      await events.emit({ type: 'queue.moved', shopId, customerId: entry.customerId, conversationId: entry.conversationId, position });
    }
    if (sentPositions.size > 10_000) sentPositions.clear();
  }

  async function presenceChanged(change: PresenceChange | null): Promise<void> {
    if (change === null || change.before === change.after) return;
    await events.emit({ type: 'presence.changed', shopId: change.shopId, staffId: change.staffId, before: change.before, after: change.after });
    if (change.after === 'online') requestDrainSoon(change.shopId);
    // Going offline keeps every assignment (as Chatwoot does; issue 22): a closed browser must not
    // reach customers. Only an account disabled meanwhile hands its conversations back.
    if (change.after === 'offline' && (await store.staff.find(change.shopId, change.staffId))?.disabledAt != null) await releaseAll(change.staffId, change.shopId);
  }

  /** A disabled agent's open inquiries go back to the queue, to be taken by others. */
  async function releaseAll(staffId: string, shopId: string): Promise<void> {
    for (const { conversationId } of await store.routing.assignedTo(staffId)) await release(shopId, conversationId, staffId);
    await requestDrain(shopId);
  }

  async function release(shopId: string, conversationId: string, staffId: string): Promise<void> {
    const moved = await moveIfStill(shopId, conversationId, { kind: 'release', fromAgentId: staffId }, now());
    if (moved) await assigned(moved, 'queued', { code: 'inquiry.queued', actorId: null, userIds: [staffId], reason: 'disabled' });
  }

  /**
   * The shop's reassignment policy (settings.autoReassignSeconds, off by default): a customer left
   * unanswered that long while their agent is away or offline goes once to an online colleague with
   * room, least busy first, never through the queue and never back (docs/routing.md#reassignment-policy).
   */
  async function reassignUnanswered(shopId: string, settings: ShopSettings, at: number): Promise<void> {
    for (const stale of await store.routing.unanswered(shopId, at - settings.autoReassignSeconds * 1000)) {
      const colleagues = (await store.routing.agents(shopId))
        .map((a) => ({ ...a, capacity: a.capacity ?? settings.defaultCapacity }))
        .filter((a) => a.presence === 'online' && a.staffId !== stale.agentId && (a.capacity === 0 || a.openInquiries < a.capacity))
        .sort((x, y) => x.openInquiries - y.openInquiries || (x.lastAssignedAt ?? 0) - (y.lastAssignedAt ?? 0));
      for (const colleague of colleagues) {
        const request: InquiryRequest = { kind: 'reassign', fromAgentId: stale.agentId, toAgentId: colleague.staffId, capacity: colleague.capacity };
        const moved = await moveIfStill(shopId, stale.conversationId, request, at).catch((error: unknown) => {
          // Filled up meanwhile: the next colleague.
          if (error instanceof AppError && error.code === 'AGENT_UNAVAILABLE') return undefined;
          throw error;
        });
        if (moved === undefined) continue;
        if (moved) await assigned(moved, 'transferred', { code: 'inquiry.reassigned', actorId: null, userIds: [stale.agentId, colleague.staffId] });
        break;
      }
    }
  }

  function scheduleGraceEnd(staffId: string): void {
    clearTimeout(graceTimers.get(staffId));
    const timer = setTimeout(() => {
      graceTimers.delete(staffId);
      void sweep().catch(() => {});
    }, options.graceMs + 10);
    timer.unref();
    graceTimers.set(staffId, timer);
  }

  function staffOf(principal: Principal) {
    if (principal.kind !== 'staff') fail('FORBIDDEN', 'Only staff take part in routing.');
    return principal.staff;
  }

  /**
   * Periodic: presence expiry, auto-reassign, and a drain of every shop this node looks after.
   * `deadNodes` are nodes the cluster's registry saw die: their devices go now rather than after
   * `deviceTtlMs`, those not refreshed since `seenBefore` (had the node lived past that moment it
   * would have beaten again), so a node taken for dead while it merely stalled keeps what it has
   * refreshed or restored since. `forgotten` is told of each node once its devices are gone.
   */
  async function sweep(
    deadNodes: ReadonlyArray<{ readonly id: string; readonly seenBefore: number }> = [],
    forgotten: (nodeId: string) => Promise<void> = async () => {},
  ): Promise<void> {
    const at = now();
    await store.routing.refreshDevices(options.nodeId, at);
    for (const node of deadNodes) {
      if (node.id === options.nodeId) continue;
      await store.routing.forgetDevices(node.id, node.seenBefore);
      await forgotten(node.id);
    }
    for (const change of await store.routing.expirePresence(at, at - options.deviceTtlMs, options.graceMs)) await presenceChanged(change);
    // Two queries find the shops with work (several per shop held a busy loop 50–100 ms: docs/benchmarks.md).
    const shopIds = [...activeShops.keys()];
    const work = await store.routing.sweepable(shopIds);
    for (const shopId of shopIds) {
      if (work.heldByDisabled.has(shopId)) {
        for (const held of await store.routing.heldByDisabled(shopId)) await release(shopId, held.conversationId, held.agentId);
      }
      // The policy as this node last saw it (a change here or on the bus drops the copy).
      const shop = await store.shops.findCached(shopId);
      if (shop && shop.settings.autoReassignSeconds > 0) await reassignUnanswered(shopId, shop.settings, at);
      if (work.queued.has(shopId)) await requestDrain(shopId);
    }
  }

  return {
    /** A staff connection authenticated on this node. */
    async deviceConnected(principal: Principal, deviceId: string): Promise<void> {
      if (principal.kind !== 'staff') return;
      const { id: staffId, shopId } = principal.staff;
      activeShops.set(shopId, (activeShops.get(shopId) ?? 0) + 1);
      clearTimeout(graceTimers.get(staffId));
      await presenceChanged(await store.routing.deviceConnected({ id: deviceId, staffId, shopId, nodeId: options.nodeId, away: false }, now(), options.graceMs));
    },

    /**
     * A staff connection of this node recorded again: after other nodes took the node for dead (it
     * stalled, or lost Redis for longer than the registry's TTL) and may have dropped its devices.
     */
    async deviceRestored(principal: Principal, deviceId: string, away: boolean): Promise<void> {
      if (principal.kind !== 'staff') return;
      const { id: staffId, shopId } = principal.staff;
      await presenceChanged(await store.routing.deviceConnected({ id: deviceId, staffId, shopId, nodeId: options.nodeId, away }, now(), options.graceMs));
    },

    async deviceAway(principal: Principal, deviceId: string, away: boolean): Promise<void> {
      staffOf(principal);
      await presenceChanged(await store.routing.deviceAway(deviceId, away, now(), options.graceMs));
    },

    async deviceDisconnected(principal: Principal, deviceId: string): Promise<void> {
      if (principal.kind !== 'staff') return;
      const { id: staffId, shopId } = principal.staff;
      const left = (activeShops.get(shopId) ?? 1) - 1;
      if (left > 0) activeShops.set(shopId, left);
      else activeShops.delete(shopId);
      await presenceChanged(await store.routing.deviceDisconnected(deviceId, now(), options.graceMs));
      scheduleGraceEnd(staffId);
    },

    /** A customer's message opened an inquiry: route it now. */
    async inquiryOpened(shopId: string, conversationId: string): Promise<void> {
      await announce(conversationId, 'queued');
      await requestDrain(shopId);
    },

    async claim(principal: Principal, conversationId: string): Promise<void> {
      const staff = staffOf(principal);
      const capacity = await capacityOf(staff);
      const moved = await move(staff.shopId, conversationId, { kind: 'assign', agentId: staff.id, capacity });
      await assigned(moved, 'assigned', { code: 'inquiry.assigned', actorId: staff.id, userIds: [staff.id] });
      await publishQueue(staff.shopId);
    },

    /** To a colleague (online, with room) or, with `toStaffId` null, back to the queue; `note` is for staff only. */
    async transfer(principal: Principal, conversationId: string, toStaffId: string | null, note?: string): Promise<void> {
      const staff = staffOf(principal);
      const facts = await factsOf(conversationId);
      if (facts.shopId !== staff.shopId) fail('CONVERSATION_NOT_FOUND');
      let target: StaffRecord | undefined;
      if (toStaffId !== null) {
        target = await store.staff.find(staff.shopId, toStaffId);
        if (!target || target.disabledAt !== null) fail('STAFF_NOT_FOUND');
      }
      const capacity = target ? await capacityOf(target) : 0;
      const moved = await move(staff.shopId, conversationId, { kind: 'transfer', toAgentId: toStaffId, capacity });
      if (note !== undefined && note.trim() !== '') await postSystem(facts, { code: 'transfer.note', actorId: staff.id, userIds: [], note: note.trim() });
      if (target) await assigned(moved, 'transferred', { code: 'inquiry.transferred', actorId: staff.id, userIds: [target.id] });
      else await assigned(moved, 'queued', { code: 'inquiry.queued', actorId: staff.id, userIds: [], reason: 'returned' });
      await requestDrain(staff.shopId);
    },

    /** Adds a colleague to the conversation: they see and write in it, the assignee stays (seed 004). */
    async invite(principal: Principal, conversationId: string, staffId: string): Promise<void> {
      const staff = staffOf(principal);
      const facts = await factsOf(conversationId);
      if (facts.shopId !== staff.shopId || facts.kind !== 'service') fail('CONVERSATION_NOT_FOUND');
      const guest = await store.staff.find(staff.shopId, staffId);
      if (!guest || guest.disabledAt !== null) fail('STAFF_NOT_FOUND');
      const joined = await store.conversations.addMember(conversationId, { id: guest.id, kind: 'staff', shopId: staff.shopId, role: 'agent' }, now());
      if (!joined) return;
      await postSystem(facts, { code: 'member.invited', actorId: staff.id, userIds: [guest.id] });
      const conversation = await store.conversations.find(conversationId);
      if (conversation) await events.emit({ type: 'member.added', conversation, userId: guest.id });
    },

    /** Ends the inquiry and frees the agent (seed 001's release); the customer's next message opens a new one. */
    async close(principal: Principal, conversationId: string): Promise<void> {
      const staff = staffOf(principal);
      const facts = await factsOf(conversationId);
      if (facts.shopId !== staff.shopId) fail('CONVERSATION_NOT_FOUND');
      const closed = await move(staff.shopId, conversationId, { kind: 'close' });
      sentPositions.delete(conversationId);
      await assigned(closed, 'closed', { code: 'inquiry.closed', actorId: staff.id, userIds: [] });
      await requestDrain(staff.shopId);
    },

    /** The caller's place in the queue (1 = next), or null when not waiting. */
    async queuePosition(principal: Principal, conversationId: string): Promise<number | null> {
      const facts = await factsOf(conversationId);
      if (principal.kind === 'customer' ? facts.customerId !== principal.customer.id : facts.shopId !== principal.staff.shopId) {
        fail('CONVERSATION_NOT_FOUND');
      }
      return store.routing.queuePosition(facts.shopId, conversationId);
    },

    /** The shop's enabled staff with presence, load and the capacity in force. */
    async agents(principal: Principal): Promise<Agent[]> {
      const { shopId } = staffOf(principal);
      const [rows, staff, settings] = await Promise.all([store.routing.agents(shopId), store.staff.list(shopId), shopSettings(shopId)]);
      const byId = new Map(staff.map((s) => [s.id, s]));
      return rows.flatMap((row) => {
        const member = byId.get(row.staffId);
        if (!member) return [];
        return [{
          staffId: row.staffId,
          name: member.name,
          role: member.role,
          presence: row.presence,
          openInquiries: row.openInquiries,
          capacity: row.capacity ?? settings.defaultCapacity,
        }];
      });
    },

    async stats(principal: Principal, from: number, to: number): Promise<AgentStats[]> {
      const staff = staffOf(principal);
      requireRole(principal, 'admin');
      checkPeriod(from, to);
      return store.routing.stats(staff.shopId, from, to);
    },

    /** Runs the shop's queue (after a settings or capacity change). */
    drain: requestDrain,
    sweep,

    /** A single node (SQLite) forgets every device of its previous run; a cluster node only its own. */
    async start(): Promise<void> {
      await store.routing.forgetDevices(options.singleNode ? null : options.nodeId);
    },

    /** After the gateway closed: this node's devices go with it (its clients reconnect elsewhere). */
    async stop(): Promise<void> {
      closed = true;
      for (const timer of [...settleTimers.values(), ...graceTimers.values()]) clearTimeout(timer);
      await Promise.allSettled([...draining.values()]);
      await store.routing.forgetDevices(options.nodeId);
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;
