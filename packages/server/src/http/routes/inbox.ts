import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ConversationPatchBodySchema, ConversationSchema, TranscriptQuerySchema } from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { presentConversation } from '../../domain/present.ts';
import { transcriptHtml, transcriptText } from '../../domain/inbox/transcript-format.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ConversationParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['conversations'];

/** Working the inbox (docs/api.md): priority and snooze, and a conversation's transcript. */
export function inboxRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.patch<{ Params: Static<typeof ConversationParams>; Body: Static<typeof ConversationPatchBodySchema> }>(
      '/conversations/:conversationId',
      {
        schema: {
          tags,
          summary: 'Set a service conversation’s priority, snooze it until a time, or wake it (staff)',
          description:
            '`priority`: none, low, medium, high or urgent. `snoozedUntil`: a future time; the conversation leaves the ' +
            'queue, mine and open views until then or until its customer writes; `null` wakes it now. Only an open ' +
            'conversation can be snoozed (CONVERSATION_NOT_OPEN). Customers never see either.',
          security,
          params: ConversationParams,
          body: ConversationPatchBodySchema,
          response: { 200: ConversationSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await services.triage.update(principal, request.params.conversationId, request.body);
        return presentConversation(await services.conversations.get(principal, request.params.conversationId), principal);
      },
    );

    app.get<{ Params: Static<typeof ConversationParams>; Querystring: Static<typeof TranscriptQuerySchema> }>(
      '/conversations/:conversationId/transcript',
      {
        schema: {
          tags,
          summary: 'Download a service conversation’s transcript as text or HTML (staff of its shop)',
          description:
            'Names and times (ISO 8601 and readable in `timeZone`, default UTC; headings in `locale`, en or zh-CN), attachments as names and links, ' +
            'internal notes only with `notes=true`. Sent as a download (Content-Disposition: attachment).',
          security,
          params: ConversationParams,
          querystring: TranscriptQuerySchema,
          produces: ['text/plain', 'text/html'],
          response: { 200: Type.String(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { conversationId } = request.params;
        const { format = 'txt', timeZone = 'UTC', locale = 'en' } = request.query;
        const transcript = await services.transcripts.build(principalOf(request), conversationId, request.query);
        const html = format === 'html';
        const document = html ? transcriptHtml(transcript, timeZone, locale) : transcriptText(transcript, timeZone, locale);
        return reply
          .header('content-type', html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8')
          .header('content-disposition', `attachment; filename="transcript-${conversationId}.${format}"`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send(document);
      },
    );
  };
}
