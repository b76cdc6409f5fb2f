import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { presentConversation, presentMessage } from '../../domain/present.ts';
import {
  ConversationSchema,
  HistoryQuerySchema,
  InboxCountsSchema,
  MessagePageSchema,
  MessageSchema,
  PageSchema,
  ReadBodySchema,
  SendBodySchema,
  TeamSchema,
} from '@frontdesk/protocol/schemas';
import { ConversationCountsQuery, ConversationListQuery, ConversationParams, MessageParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

export function conversationRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof ConversationListQuery> }>(
      '/conversations',
      {
        schema: {
          tags: ['conversations'],
          summary: 'List conversations, most recent activity first',
          description:
            "Customers: their conversations across shops. Staff: the shop's service conversations (filter by status " +
            'and assignee), or with `scope=mine` the conversations they are a member of.',
          security,
          querystring: ConversationListQuery,
          response: { 200: PageSchema(ConversationSchema), ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const page = await services.conversations.list(principal, request.query);
        return { items: page.items.map((c) => presentConversation(c, principal)), nextCursor: page.nextCursor };
      },
    );

    // A static path: the router tries it before /conversations/:conversationId.
    app.get<{ Querystring: Static<typeof ConversationCountsQuery> }>(
      '/conversations/counts',
      {
        schema: {
          tags: ['conversations'],
          summary: 'How many conversations each console view holds (staff)',
          description:
            'Counted with the filters of `GET /conversations?view=…` (`queue`, `mine`, `open`, `closed`, `snoozed`), narrowed by the ' +
            'same `status`, `assigneeId`, `labelId`, `channel` and `priority` as the list, so that the tabs of a filtered inbox count what they show.',
          security,
          querystring: ConversationCountsQuery,
          response: { 200: InboxCountsSchema, ...errorResponses },
        },
      },
      async (request) => services.conversations.counts(principalOf(request), request.query),
    );

    app.get<{ Params: Static<typeof ConversationParams> }>(
      '/conversations/:conversationId',
      {
        schema: {
          tags: ['conversations'],
          summary: 'One conversation with the caller’s unread count',
          security,
          params: ConversationParams,
          response: { 200: ConversationSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return presentConversation(await services.conversations.get(principal, request.params.conversationId), principal);
      },
    );

    app.get<{ Params: Static<typeof ConversationParams>; Querystring: Static<typeof HistoryQuerySchema> }>(
      '/conversations/:conversationId/messages',
      {
        schema: {
          tags: ['messages'],
          summary: 'A page of history in ascending seq order',
          description: 'Newest page by default; `beforeSeq` pages back, `afterSeq` pages forward (catch-up).',
          security,
          params: ConversationParams,
          querystring: HistoryQuerySchema,
          response: { 200: MessagePageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const page = await services.messages.history(principalOf(request), request.params.conversationId, request.query);
        return { items: page.items.map(presentMessage), hasMore: page.hasMore };
      },
    );

    app.post<{ Params: Static<typeof ConversationParams>; Body: Static<typeof SendBodySchema> }>(
      '/conversations/:conversationId/messages',
      {
        schema: {
          tags: ['messages'],
          summary: 'Send a message; idempotent on clientMsgId',
          description:
            'Returns 201 with the stored message, or 200 with the original when `clientMsgId` was already used by this ' +
            'sender in this conversation. Staff may send `visibility: internal` notes, which customers never receive.',
          security,
          params: ConversationParams,
          body: SendBodySchema,
          response: { 200: MessageSchema, 201: MessageSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { message, duplicate } = await services.messages.send(principalOf(request), {
          conversationId: request.params.conversationId,
          clientMsgId: request.body.clientMsgId,
          contentType: request.body.contentType,
          text: request.body.text,
          attachmentId: request.body.attachmentId,
          visibility: request.body.visibility,
          mentions: request.body.mentions,
        });
        return reply.status(duplicate ? 200 : 201).send(presentMessage(message));
      },
    );

    app.delete<{ Params: Static<typeof MessageParams> }>(
      '/conversations/:conversationId/messages/:messageId',
      {
        schema: {
          tags: ['messages'],
          summary: 'Delete a message (its seq stays, its text goes)',
          security,
          params: MessageParams,
          response: { 200: MessageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { conversationId, messageId } = request.params;
        return presentMessage(await services.messages.remove(principalOf(request), conversationId, messageId));
      },
    );

    app.post<{ Params: Static<typeof ConversationParams>; Body: Static<typeof ReadBodySchema> }>(
      '/conversations/:conversationId/read',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Move the caller’s read cursor forward to seq',
          security,
          params: ConversationParams,
          body: ReadBodySchema,
          response: { 200: Type.Object({ readSeq: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => {
        const member = await services.conversations.markRead(principalOf(request), request.params.conversationId, request.body.seq);
        return { readSeq: member.readSeq };
      },
    );

    app.get<{ Params: Static<typeof ConversationParams> }>(
      '/conversations/:conversationId/team',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Who answers: staff names, and whether anyone answers now',
          description:
            'For the widget’s names and avatars and its offline notice. `openNow`: within the shop’s business hours; ' +
            '`available`: open now and some agent online. A customer sees only staff they have heard from ' +
            '(the assignee and the authors of public messages); staff see every staff member of the conversation.',
          security,
          params: ConversationParams,
          response: { 200: TeamSchema, ...errorResponses },
        },
      },
      async (request) => services.conversations.team(principalOf(request), request.params.conversationId),
    );
  };
}
