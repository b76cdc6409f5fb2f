import type { GroupRole } from '@frontdesk/protocol';
import type { ConversationView } from '../records.ts';

/** Storage for staff chat (storage/staff-chat-store.ts): it runs the writes the domain decided. */
export interface StaffChatStore {
  /** The pair's direct conversation id, made with both members on first use (one per pair: unique key). */
  ensureDirect(shopId: string, staffIds: readonly [string, string], newId: string, now: number): Promise<string>;
  /** A group with its owner and members, in one transaction. */
  createGroup(group: { id: string; shopId: string; title: string; ownerId: string; memberIds: readonly string[] }, now: number): Promise<void>;
  setTitle(conversationId: string, title: string, now: number): Promise<void>;
  /**
   * Adds those of `staffIds` who are not members, as long as the group stays within `limit`
   * (checked under the group's lock); returns those added, or 'full'.
   */
  addMembers(conversationId: string, shopId: string, staffIds: readonly string[], limit: number, now: number): Promise<string[] | 'full'>;
  /**
   * Removes a member; if they owned the group, the member who joined first after them owns it now.
   * Null when they were not a member.
   */
  removeMember(conversationId: string, userId: string): Promise<{ newOwnerId: string | null } | null>;
  /** Sets a member's role (not the owner's); false when they are not a member or own the group. */
  setMemberRole(conversationId: string, userId: string, role: 'admin' | 'member'): Promise<boolean>;
  groupMembers(conversationId: string): Promise<GroupMemberRow[]>;
  ownerOf(conversationId: string): Promise<string | null>;
  /** Members of the groups listed that belong to the shop (a broadcast's recipients online). */
  membersOfGroups(shopId: string, groupIds: readonly string[]): Promise<string[]>;
  setMute(conversationId: string, userId: string, until: number | null): Promise<void>;
  /** The caller's direct and group conversations, newest activity first. */
  recentChats(userId: string, limit: number): Promise<RecentChatRow[]>;
  /** Members other than `senderId` whose read cursor reached `seq`, and how many members besides the sender. */
  readers(conversationId: string, seq: number, senderId: string | null): Promise<{ readerIds: string[]; of: number }>;
  /** Changes a message's text; false when it is deleted meanwhile. */
  editMessage(conversationId: string, messageId: string, text: string, now: number): Promise<boolean>;

  createBroadcast(broadcast: BroadcastRecord, targets: { staffIds: readonly string[]; groupIds: readonly string[] }): Promise<void>;
  /** Broadcasts addressed to `staffId` (to all, to them, or to a group they are in): unread first, then newest. */
  broadcastsFor(shopId: string, staffId: string, limit: number): Promise<{ items: BroadcastView[]; unread: number }>;
  /** One broadcast if it is addressed to `staffId`. */
  broadcastFor(shopId: string, staffId: string, broadcastId: string): Promise<BroadcastView | undefined>;
  markBroadcastRead(broadcastId: string, staffId: string, now: number): Promise<void>;
}

export interface GroupMemberRow {
  readonly id: string;
  readonly name: string;
  readonly role: GroupRole;
  readonly joinedAt: number;
}

export interface RecentChatRow {
  readonly conversation: ConversationView;
  readonly peerId: string | null;
  readonly mutedUntil: number | null;
  /** Unread messages mentioning the user or all. */
  readonly mentions: number;
  readonly memberCount: number;
}

export interface BroadcastRecord {
  readonly id: string;
  readonly shopId: string;
  readonly senderId: string;
  readonly title: string;
  readonly text: string;
  readonly toAll: boolean;
  readonly createdAt: number;
}

export interface BroadcastView extends BroadcastRecord {
  readonly senderName: string;
  readonly readAt: number | null;
}
