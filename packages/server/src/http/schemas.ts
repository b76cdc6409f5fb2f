import { Type } from '@sinclair/typebox';
import { ChannelSchema, PrioritySchema, ErrorBodySchema, Id, InquiryStatusSchema, PageLimit, Time } from '@frontdesk/protocol/schemas';

/**
 * What only HTTP has: path parameters, the query strings of GET lists, and the error component the
 * OpenAPI document refers to. Bodies, models and the message requests shared with the socket are
 * the wire contract, in `@frontdesk/protocol/schemas`.
 */
export const ErrorBody = Type.Object(ErrorBodySchema.properties, { $id: 'Error' });

export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

const strict = { additionalProperties: false } as const;

export const ConversationParams = Type.Object({ conversationId: Id }, strict);
export const MessageParams = Type.Object({ conversationId: Id, messageId: Id }, strict);
export const StaffParams = Type.Object({ staffId: Id }, strict);
export const CustomerParams = Type.Object({ customerId: Id }, strict);
export const CannedResponseParams = Type.Object({ cannedId: Id }, strict);
export const ContactNoteParams = Type.Object({ customerId: Id, noteId: Id }, strict);
export const ContactLabelParams = Type.Object({ customerId: Id, labelId: Id }, strict);
export const LabelParams = Type.Object({ labelId: Id }, strict);
export const ConversationLabelParams = Type.Object({ conversationId: Id, labelId: Id }, strict);
export const ViewParams = Type.Object({ viewId: Id }, strict);

export const ConversationListQuery = Type.Object(
  {
    status: Type.Optional(InquiryStatusSchema),
    assigneeId: Type.Optional(Id),
    scope: Type.Optional(Type.Union([Type.Literal('shop'), Type.Literal('mine')])),
    view: Type.Optional(Type.Union([Type.Literal('queue'), Type.Literal('mine'), Type.Literal('open'), Type.Literal('closed'), Type.Literal('snoozed')])),
    labelId: Type.Optional(Id),
    channel: Type.Optional(ChannelSchema),
    priority: Type.Optional(PrioritySchema),
    sort: Type.Optional(Type.Union([Type.Literal('recent'), Type.Literal('priority')])),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(PageLimit),
  },
  strict,
);

/** The console's badges: each view counted with the same filters as its list. */
export const ConversationCountsQuery = Type.Object(
  {
    status: ConversationListQuery.properties.status,
    assigneeId: ConversationListQuery.properties.assigneeId,
    labelId: ConversationListQuery.properties.labelId,
    channel: ConversationListQuery.properties.channel,
    priority: ConversationListQuery.properties.priority,
  },
  strict,
);

export const StatsQuery = Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time) }, strict);

export const DailyStatsQuery = Type.Object(
  {
    ...StatsQuery.properties,
    tzOffsetMinutes: Type.Optional(
      Type.Integer({ minimum: -840, maximum: 840, description: 'The UTC offset days are cut in, east positive (UTC+08:00 = 480); default 0' }),
    ),
  },
  strict,
);

export const CannedResponseListQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 100, description: 'Shortcuts or titles containing this, ignoring case' })) },
  strict,
);

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Per list; default 20' })),
  },
  strict,
);
