import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  BroadcastBodySchema,
  BroadcastListSchema,
  BroadcastSchema,
  ConversationSchema,
  DirectBodySchema,
  EditBodySchema,
  GroupCreateBodySchema,
  GroupMemberPatchBodySchema,
  GroupMembersBodySchema,
  GroupPatchBodySchema,
  GroupSchema,
  Id,
  MembershipPatchBodySchema,
  MembershipSchema,
  MessageSchema,
  ReadersSchema,
  TeamDirectorySchema,
  type Group,
} from '@frontdesk/protocol/schemas';
import { presentBroadcast, presentConversation, presentMessage } from '../../domain/present.ts';
import type { Principal } from '../../domain/records.ts';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ConversationParams, MessageParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const strict = { additionalProperties: false } as const;
const GroupMemberParams = Type.Object({ conversationId: Id, staffId: Id }, strict);
const BroadcastParams = Type.Object({ broadcastId: Id }, strict);
const BroadcastListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, strict);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Staff chat (docs/staff-chat.md): direct chats, groups, mute, recent contacts, edits, broadcasts. Staff only. */
export function staffChatRoutes(services: Services): FastifyPluginAsync {
  const chat = services.staffChat;

  /** A conversation as the caller sees it (read cursor, unread). */
  async function conversation(principal: Principal, conversationId: string) {
    return presentConversation(await services.conversations.get(principal, conversationId), principal);
  }

  async function group(principal: Principal, conversationId: string): Promise<Group> {
    const found = await chat.group(principal, conversationId);
    return {
      conversation: await conversation(principal, conversationId),
      ownerId: found.ownerId,
      members: found.members.map((m) => ({ id: m.id, name: m.name, role: m.role, joinedAt: new Date(m.joinedAt).toISOString() })),
      memberLimit: found.memberLimit,
    };
  }

  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.post<{ Body: Static<typeof DirectBodySchema> }>(
      '/direct',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Open the direct chat with a colleague (the same one every time)',
          description: 'Made with both members on first use; the pair has one direct conversation whoever opens it.',
          security,
          body: DirectBodySchema,
          response: { 200: ConversationSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return conversation(principal, (await chat.direct(principal, request.body.staffId)).id);
      },
    );

    app.post<{ Body: Static<typeof GroupCreateBodySchema> }>(
      '/groups',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Create a group; the caller owns it',
          security,
          body: GroupCreateBodySchema,
          response: { 201: GroupSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const created = await chat.createGroup(principal, request.body.title, request.body.memberIds);
        return reply.status(201).send(await group(principal, created.id));
      },
    );

    app.get<{ Params: Static<typeof ConversationParams> }>(
      '/groups/:conversationId',
      {
        schema: { tags: ['staff chat'], summary: 'A group with its members (members only)', security, params: ConversationParams, response: { 200: GroupSchema, ...errorResponses } },
      },
      async (request) => group(principalOf(request), request.params.conversationId),
    );

    app.patch<{ Params: Static<typeof ConversationParams>; Body: Static<typeof GroupPatchBodySchema> }>(
      '/groups/:conversationId',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Rename a group (any member); members see a notice',
          security,
          params: ConversationParams,
          body: GroupPatchBodySchema,
          response: { 200: GroupSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await chat.rename(principal, request.params.conversationId, request.body.title);
        return group(principal, request.params.conversationId);
      },
    );

    app.post<{ Params: Static<typeof ConversationParams>; Body: Static<typeof GroupMembersBodySchema> }>(
      '/groups/:conversationId/members',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Add colleagues to a group (any member); members see a notice',
          description: 'Those already members are skipped. Past the member limit (GROUP_MEMBER_LIMIT, 500 by default): 409 GROUP_FULL, nobody added.',
          security,
          params: ConversationParams,
          body: GroupMembersBodySchema,
          response: { 200: GroupSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await chat.addMembers(principal, request.params.conversationId, request.body.staffIds);
        return group(principal, request.params.conversationId);
      },
    );

    app.delete<{ Params: Static<typeof GroupMemberParams> }>(
      '/groups/:conversationId/members/:staffId',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Leave a group (your own id) or remove a member (group owner or admin, shop owner or admin)',
          description: 'Members see a notice. When the owner leaves, the longest-standing member (an admin first) owns the group.',
          security,
          params: GroupMemberParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await chat.removeMember(principalOf(request), request.params.conversationId, request.params.staffId);
        return reply.status(204).send();
      },
    );

    app.patch<{ Params: Static<typeof GroupMemberParams>; Body: Static<typeof GroupMemberPatchBodySchema> }>(
      '/groups/:conversationId/members/:staffId',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Make a member an admin of the group, or a member again (the group’s owner; shop owners and admins)',
          description: 'Admins remove members and mention `@all`, as the owner does; when the owner leaves, an admin takes the group first.',
          security,
          params: GroupMemberParams,
          body: GroupMemberPatchBodySchema,
          response: { 200: GroupSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await chat.setRole(principal, request.params.conversationId, request.params.staffId, request.body.role);
        return group(principal, request.params.conversationId);
      },
    );

    app.patch<{ Params: Static<typeof ConversationParams>; Body: Static<typeof MembershipPatchBodySchema> }>(
      '/conversations/:conversationId/membership',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Mute a direct or group chat (for ever, or until a time) or unmute it',
          description: 'Muted: no notification and no unread badge; a mention of you (or `@all`) still notifies.',
          security,
          params: ConversationParams,
          body: MembershipPatchBodySchema,
          response: { 200: MembershipSchema, ...errorResponses },
        },
      },
      async (request) => {
        const muted = request.body.muted;
        const result = await chat.mute(principalOf(request), request.params.conversationId, typeof muted === 'boolean' ? muted : Date.parse(muted));
        return { conversationId: result.conversationId, mutedUntil: iso(result.mutedUntil) };
      },
    );

    app.get(
      '/team',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Recent contacts: your direct and group chats, newest first, and your colleagues with presence',
          security,
          response: { 200: TeamDirectorySchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const team = await chat.team(principal);
        return {
          chats: team.chats.map((c) => ({
            conversation: presentConversation(c.conversation, principal),
            peerId: c.peerId,
            mutedUntil: iso(c.mutedUntil),
            mentions: c.mentions,
            memberCount: c.memberCount,
          })),
          colleagues: team.colleagues.map((s) => ({ id: s.id, name: s.name, role: s.role, presence: s.presence })),
        };
      },
    );

    app.patch<{ Params: Static<typeof MessageParams>; Body: Static<typeof EditBodySchema> }>(
      '/conversations/:conversationId/messages/:messageId',
      {
        schema: {
          tags: ['messages'],
          summary: 'Edit the text of your own text message',
          description: 'Everyone in the conversation receives a `message.updated` event; the message shows `editedAt`.',
          security,
          params: MessageParams,
          body: EditBodySchema,
          response: { 200: MessageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { conversationId, messageId } = request.params;
        return presentMessage(await services.messages.edit(principalOf(request), conversationId, messageId, request.body.text));
      },
    );

    app.get<{ Params: Static<typeof MessageParams> }>(
      '/conversations/:conversationId/messages/:messageId/readers',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Who has read a message of a direct or group chat',
          security,
          params: MessageParams,
          response: { 200: ReadersSchema, ...errorResponses },
        },
      },
      async (request) => chat.readers(principalOf(request), request.params.conversationId, request.params.messageId),
    );

    app.post<{ Body: Static<typeof BroadcastBodySchema> }>(
      '/broadcasts',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Broadcast to all staff or to chosen colleagues and groups (owner, admin)',
          description: 'Stored once; recipients online get a `broadcast` event at once, the others find it unread in GET /broadcasts.',
          security,
          body: BroadcastBodySchema,
          response: { 201: BroadcastSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(presentBroadcast(await services.broadcasts.send(principalOf(request), request.body))),
    );

    app.get<{ Querystring: Static<typeof BroadcastListQuery> }>(
      '/broadcasts',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Your broadcasts: unread first, then newest',
          security,
          querystring: BroadcastListQuery,
          response: { 200: BroadcastListSchema, ...errorResponses },
        },
      },
      async (request) => {
        const list = await services.broadcasts.list(principalOf(request), request.query.limit);
        return { items: list.items.map(presentBroadcast), unread: list.unread };
      },
    );

    app.post<{ Params: Static<typeof BroadcastParams> }>(
      '/broadcasts/:broadcastId/read',
      {
        schema: {
          tags: ['staff chat'],
          summary: 'Mark a broadcast read',
          security,
          params: BroadcastParams,
          response: { 200: BroadcastSchema, ...errorResponses },
        },
      },
      async (request) => presentBroadcast(await services.broadcasts.markRead(principalOf(request), request.params.broadcastId)),
    );
  };
}
