import type { InquiryStatus } from '@frontdesk/protocol';
import { AppError } from './errors.ts';
import type { InquiryChanged } from './events.ts';

/**
 * Every allowed inquiry transition, in one place (STYLE.md). A closed inquiry never reopens:
 * the customer's next message opens a new inquiry.
 */
export const inquiryTransitions: Readonly<Record<InquiryStatus, readonly InquiryStatus[]>> = {
  queued: ['assigned', 'closed'],
  assigned: ['assigned', 'queued', 'closed'],
  closed: [],
};

export function canTransition(from: InquiryStatus, to: InquiryStatus): boolean {
  return inquiryTransitions[from].includes(to);
}

export function isOpen(status: InquiryStatus | null): boolean {
  return status === 'queued' || status === 'assigned';
}

/** An inquiry as it stands, read under its conversation's lock. */
export interface InquiryState {
  readonly status: InquiryStatus;
  readonly assigneeId: string | null;
}

/**
 * A change the table allowed, for storage to apply as a conditional update (it applies only if the
 * inquiry still stands at `from`). An agent holds one unit of capacity while assigned: storage
 * releases the old assignee's and takes the new one's (`capacity`, 0 = no limit) as the move says.
 */
export interface InquiryMove {
  readonly from: InquiryState;
  readonly to: InquiryState;
  /**
   * The agent it came from by hand or by the shop's policy (one who handed it back, transferred it,
   * or did not answer): routing passes a queued inquiry over for them, and the policy never moves an
   * inquiry that has one (docs/routing.md#reassignment-policy). Null keeps what the inquiry had.
   */
  readonly skipAgentId: string | null;
  /** The new assignee's capacity, when `to` is assigned. */
  readonly capacity: number;
  /** The fact it makes. */
  readonly event: InquiryChanged['type'];
}

/** What a staff member, routing or a sweep asks of an inquiry. */
export type InquiryRequest =
  /** Routing, or an agent taking it from the queue. */
  | { readonly kind: 'assign'; readonly agentId: string; readonly capacity: number }
  /** To a colleague, or (`toAgentId` null) back to the queue. */
  | { readonly kind: 'transfer'; readonly toAgentId: string | null; readonly capacity: number }
  | { readonly kind: 'close' }
  /** The shop's policy: from an absent `fromAgentId` to an online colleague, if still with them; null otherwise. */
  | { readonly kind: 'reassign'; readonly fromAgentId: string; readonly toAgentId: string; readonly capacity: number }
  /** Back to the queue if still with `fromAgentId` (their account was disabled); null otherwise. */
  | { readonly kind: 'release'; readonly fromAgentId: string };

const notQueued = () => new AppError('INVALID_TRANSITION', 'The conversation is not waiting in the queue.');

/**
 * Decides a change of an inquiry: what the request means from where it stands, checked against the
 * table. Throws INVALID_TRANSITION (or VALIDATION_FAILED) when it may not happen; returns null when
 * a sweep's request no longer applies. Storage runs what this returns and decides nothing.
 */
export function decideInquiry(current: InquiryState | null, request: InquiryRequest): InquiryMove | null {
  if (current === null || current.status === 'closed') {
    if (request.kind === 'reassign' || request.kind === 'release') return null;
    throw new AppError('INVALID_TRANSITION', 'The conversation has no open inquiry.');
  }
  const move = (event: InquiryMove['event'], to: InquiryState, capacity = 0, skipAgentId: string | null = null): InquiryMove => {
    if (!canTransition(current.status, to.status)) {
      throw new AppError('INVALID_TRANSITION', `An inquiry cannot go from ${current.status} to ${to.status}.`);
    }
    return { from: current, to, skipAgentId, capacity, event };
  };
  switch (request.kind) {
    case 'assign':
      if (current.status !== 'queued') throw notQueued();
      return move('inquiry.assigned', { status: 'assigned', assigneeId: request.agentId }, request.capacity);
    case 'transfer':
      if (request.toAgentId === null) {
        if (current.status === 'queued') throw new AppError('INVALID_TRANSITION', 'The conversation is already in the queue.');
        // Handed back: it must not come straight back to the agent who returned it.
        return move('inquiry.queued', { status: 'queued', assigneeId: null }, 0, current.assigneeId);
      }
      if (request.toAgentId === current.assigneeId) throw new AppError('VALIDATION_FAILED', 'The conversation is already assigned to this agent.');
      // A colleague's decision: the policy never undoes it (issue 22).
      return move('inquiry.transferred', { status: 'assigned', assigneeId: request.toAgentId }, request.capacity, current.assigneeId);
    case 'close':
      // The assignee stays on the closed inquiry: statistics count it as theirs.
      return move('inquiry.closed', { status: 'closed', assigneeId: current.assigneeId });
    case 'reassign':
      if (current.status !== 'assigned' || current.assigneeId !== request.fromAgentId || request.toAgentId === request.fromAgentId) return null;
      return move('inquiry.transferred', { status: 'assigned', assigneeId: request.toAgentId }, request.capacity, request.fromAgentId);
    case 'release':
      if (current.status !== 'assigned' || current.assigneeId !== request.fromAgentId) return null;
      return move('inquiry.queued', { status: 'queued', assigneeId: null }, 0, request.fromAgentId);
  }
}

/**
 * A visitor's conversation folded into the customer's (the widget's sign-in): one open inquiry per
 * conversation, so when both have one, an agent already talking (assigned) wins over a queued one
 * and between equals the customer's stands; the other is closed. An open inquiry of the visitor
 * alone moves along.
 */
export interface MergeDecision {
  /** Whose open inquiry the merged conversation carries on with. */
  readonly keep: 'visitor' | 'customer';
  /** The move that closes the other one, when both were open. */
  readonly close: { readonly side: 'visitor' | 'customer'; readonly move: InquiryMove } | null;
}

export function decideMerge(visitor: InquiryState | null, customer: InquiryState | null): MergeDecision {
  const visitorOpen = visitor !== null && isOpen(visitor.status);
  const customerOpen = customer !== null && isOpen(customer.status);
  const keepVisitor = visitorOpen && (!customerOpen || (visitor.status === 'assigned' && customer!.status === 'queued'));
  if (!visitorOpen || !customerOpen) return { keep: keepVisitor ? 'visitor' : 'customer', close: null };
  const side = keepVisitor ? 'customer' : 'visitor';
  const move = decideInquiry(side === 'visitor' ? visitor : customer, { kind: 'close' })!;
  return { keep: keepVisitor ? 'visitor' : 'customer', close: { side, move } };
}
