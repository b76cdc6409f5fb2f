import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  BulkLabelBodySchema,
  BulkResultSchema,
  ContactDetailsSchema,
  ContactListQuerySchema,
  ContactNoteBodySchema,
  ContactNoteSchema,
  ContactPageSchema,
  ContactPatchBodySchema,
  ContactSchema,
} from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { presentConversation, presentInquiry } from '../../domain/present.ts';
import { presentContact, presentNote } from '../../domain/contacts/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ContactLabelParams, ContactNoteParams, CustomerParams, errorResponses } from '../schemas.ts';
import { contactTransferRoutes } from './contacts-csv.ts';

const security = [{ bearer: [] }];
const tags = ['contacts'];

/** The shop's contacts (docs/contacts.md): list, contact page, notes and labels. */
export function contactRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));
    await app.register(contactTransferRoutes(services));

    app.get<{ Querystring: Static<typeof ContactListQuerySchema> }>(
      '/contacts',
      {
        schema: {
          tags,
          summary: 'The shop’s contacts: search, filter, sort, paged with a cursor (staff)',
          description:
            'Filters combine. `q`: name, e-mail or external id containing it, ignoring case. `attribute`: `key:value` ' +
            '(`true`, `false` and numbers compare as such). Sort `lastSeen` (default, newest first), `created` or `name`; ' +
            'the cursor belongs to the sort and order it came with.',
          security,
          querystring: ContactListQuerySchema,
          response: { 200: ContactPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const page = await services.contacts.list(principalOf(request), request.query);
        return { items: page.items.map(presentContact), nextCursor: page.nextCursor };
      },
    );

    app.post<{ Body: Static<typeof BulkLabelBodySchema> }>(
      '/contacts/labels',
      {
        schema: {
          tags,
          summary: 'Add and remove labels on many contacts at once (staff)',
          description: 'Ids that are not contacts of the shop are skipped. `changed` counts the (contact, label) pairs added or removed.',
          security,
          body: BulkLabelBodySchema,
          response: { 200: BulkResultSchema, ...errorResponses },
        },
      },
      async (request) => ({ changed: await services.contacts.bulkLabel(principalOf(request), request.body) }),
    );

    app.get<{ Params: Static<typeof CustomerParams> }>(
      '/contacts/:customerId',
      {
        schema: {
          tags,
          summary: 'A contact’s page: the contact, staff notes, the service conversation and inquiries (staff)',
          security,
          params: CustomerParams,
          response: { 200: ContactDetailsSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const details = await services.contacts.details(principal, request.params.customerId);
        return {
          contact: presentContact(details.contact),
          notes: details.notes.map(presentNote),
          conversation: details.conversation && presentConversation({ ...details.conversation, readSeq: 0, readPublicSeq: 0 }, principal),
          inquiries: details.inquiries.map(presentInquiry),
        };
      },
    );

    app.patch<{ Params: Static<typeof CustomerParams>; Body: Static<typeof ContactPatchBodySchema> }>(
      '/contacts/:customerId',
      {
        schema: {
          tags,
          summary: 'Change a contact’s name, e-mail, attributes (replaced whole) or campaign opt-out (staff)',
          description: 'A platform customer’s name, e-mail and attributes come from their platform identity: only `optedOut` may change (FORBIDDEN otherwise).',
          security,
          params: CustomerParams,
          body: ContactPatchBodySchema,
          response: { 200: ContactSchema, ...errorResponses },
        },
      },
      async (request) => presentContact(await services.contacts.update(principalOf(request), request.params.customerId, request.body)),
    );

    app.post<{ Params: Static<typeof CustomerParams>; Body: Static<typeof ContactNoteBodySchema> }>(
      '/contacts/:customerId/notes',
      {
        schema: { tags, summary: 'Add a staff note to a contact (staff)', security, params: CustomerParams, body: ContactNoteBodySchema, response: { 201: ContactNoteSchema, ...errorResponses } },
      },
      async (request, reply) => reply.status(201).send(presentNote(await services.contacts.addNote(principalOf(request), request.params.customerId, request.body.text))),
    );

    app.patch<{ Params: Static<typeof ContactNoteParams>; Body: Static<typeof ContactNoteBodySchema> }>(
      '/contacts/:customerId/notes/:noteId',
      {
        schema: { tags, summary: 'Change a note (its author, admins, owners)', security, params: ContactNoteParams, body: ContactNoteBodySchema, response: { 200: ContactNoteSchema, ...errorResponses } },
      },
      async (request) => presentNote(await services.contacts.updateNote(principalOf(request), request.params.customerId, request.params.noteId, request.body.text)),
    );

    app.delete<{ Params: Static<typeof ContactNoteParams> }>(
      '/contacts/:customerId/notes/:noteId',
      { schema: { tags, summary: 'Delete a note (its author, admins, owners)', security, params: ContactNoteParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await services.contacts.removeNote(principalOf(request), request.params.customerId, request.params.noteId);
        return reply.status(204).send();
      },
    );

    for (const [method, on] of [['put', true], ['delete', false]] as const) {
      app[method]<{ Params: Static<typeof ContactLabelParams> }>(
        '/contacts/:customerId/labels/:labelId',
        {
          schema: {
            tags,
            summary: on ? 'Put a label on a contact (staff); idempotent' : 'Take a label off a contact (staff); idempotent',
            security,
            params: ContactLabelParams,
            response: { 200: ContactSchema, ...errorResponses },
          },
        },
        async (request) => presentContact(await services.contacts.label(principalOf(request), request.params.customerId, request.params.labelId, on)),
      );
    }
  };
}
