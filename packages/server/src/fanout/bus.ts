import type { Campaign, Broadcast, CsatRating, Operations, ConversationChange, ConversationSummary, Message, Presence, UserKind } from '@frontdesk/protocol';

/**
 * What sockets receive, as the fan-out subscriber (fanout.ts) made it from a domain event. Events
 * carry their audience (computed once, in audience.ts) so that a gateway on any node only matches
 * it against its own sockets.
 */
export interface Audience {
  /** Users who receive the event on every device. */
  readonly userIds: readonly string[];
  /** Every staff member of this shop receives it too (service conversations until routing exists). */
  readonly shopStaff: string | null;
  /** Never delivered to these users (the author of a typing event, say). */
  readonly exceptUserIds: readonly string[];
  /** Raw pushes (push APIs): connections by id, a room's connections, or all of `withinShop`. */
  readonly connectionIds?: readonly string[];
  readonly room?: string;
  readonly shopAll?: boolean;
  /** Raw pushes: only connections of this shop receive it, whatever else is listed. */
  readonly withinShop?: string;
  /** Only connections that asked for this feed (`operations.subscribe`) and may still see it. */
  readonly watching?: 'operations';
  /** The owners and admins of this shop (campaign progress). */
  readonly shopAdmins?: string;
}

interface EventBase {
  readonly audience: Audience;
  /** The connection the change came from: it already has its reply (an ack), so it is skipped. */
  readonly originConnectionId?: string;
}

export type BusEvent = EventBase &
  (
  | { readonly type: 'message'; readonly message: Message }
  | { readonly type: 'message.updated'; readonly message: Message }
  | { readonly type: 'broadcast'; readonly broadcast: Broadcast }
  | {
      readonly type: 'read';
      readonly conversationId: string;
      readonly userId: string;
      readonly seq: number;
    }
  | {
      readonly type: 'typing';
      readonly conversationId: string;
      readonly userId: string;
      readonly userKind: UserKind;
    }
  | {
      readonly type: 'conversation';
      readonly change: ConversationChange;
      readonly conversation: ConversationSummary;
      readonly mergedFromId?: string;
      readonly userId?: string;
    }
  | { readonly type: 'presence'; readonly userId: string; readonly status: Presence }
  | { readonly type: 'queue'; readonly conversationId: string; readonly position: number }
  /** The operations dashboard's figures of one shop (delivered on the node that computed them, never on the bus). */
  | { readonly type: 'operations'; readonly operations: Operations }
  /** A campaign's status or progress (owners and admins of its shop). */
  | { readonly type: 'campaign'; readonly campaign: Campaign }
  /** A rating of a closed inquiry (owners and admins of its shop: the statistics page refreshes). */
  | { readonly type: 'csat'; readonly rating: CsatRating }
  /** A raw push of the push APIs: goim's operation, the bytes (base64), and goim's `speed` (0 = at once). */
  | { readonly type: 'push'; readonly operation: number; readonly body: string; readonly speed: number }
  /**
   * Sessions ended (logout, account disabled, password reset): every node closes the user's sockets
   * that use them at once, not at their next re-check. `tokenHash` null = every session of the user.
   */
  | { readonly type: 'signed-out'; readonly userId: string; readonly tokenHash: string | null; readonly reason: 'TOKEN_INVALID' | 'ACCOUNT_DISABLED' }
  /** A shop's settings changed: every node drops what it cached of them (the widget origins). For nodes, not sockets. */
  | { readonly type: 'shop.changed'; readonly shopId: string }
  /** A node died: every connection of every node is told to sync (what it stored last may be unpushed). */
  | { readonly type: 'resync' }
  );

/** The fan-out port: in-process now, Redis pub/sub in cluster mode (same two methods). */
export interface Bus {
  publish(event: BusEvent): Promise<void>;
  subscribe(listener: (event: BusEvent) => void): () => void;
}
