import { Type, type TSchema } from '@sinclair/typebox';
import { attributeKeyPattern, errorCodes, limits } from '@frontdesk/protocol';

/** JSON schemas for the HTTP API: validation at the edge and the OpenAPI document at /docs. */
export const Id = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'UUID',
});
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Name = Type.String({ minLength: 1, maxLength: limits.nameMaxChars });
const Email = Type.String({ format: 'email', maxLength: 254 });

export const StaffRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')]);
export const InquiryStatus = Type.Union([Type.Literal('queued'), Type.Literal('assigned'), Type.Literal('closed')]);
const ContentType = Type.Union([Type.Literal('text'), Type.Literal('image'), Type.Literal('file')]);
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('internal')]);
const SenderKind = Type.Union([Type.Literal('staff'), Type.Literal('customer'), Type.Literal('system')]);
const RoutingStrategy = Type.Union([
  Type.Literal('sticky-then-least-busy'),
  Type.Literal('least-busy'),
  Type.Literal('round-robin'),
  Type.Literal('random'),
  Type.Literal('manual'),
]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(errorCodes.map((code) => Type.Literal(code))),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.String())),
    }),
  },
  { $id: 'Error' },
);

/** "HH:MM"; "24:00" ends a range at midnight. */
const WallTime = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' });
/** `[start, end]`: a plain array of two rather than a tuple, whose schema differs between JSON Schema drafts (OpenAPI 3.1 and Ajv's). */
const Range = Type.Unsafe<[string, string]>(Type.Array(WallTime, { minItems: 2, maxItems: 2, description: '[start, end]' }));
const DayHours = Type.Array(Range, { maxItems: 4 });

export const BusinessHours = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone, e.g. Europe/Berlin' }),
    days: Type.Object(
      {
        mon: Type.Optional(DayHours),
        tue: Type.Optional(DayHours),
        wed: Type.Optional(DayHours),
        thu: Type.Optional(DayHours),
        fri: Type.Optional(DayHours),
        sat: Type.Optional(DayHours),
        sun: Type.Optional(DayHours),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ShopSettings = Type.Object({
  routingStrategy: RoutingStrategy,
  defaultCapacity: Type.Integer({ minimum: 0, maximum: 1000 }),
  widgetOrigins: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
  autoReassignSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  offlineMessage: Type.String({ maxLength: 1000 }),
  maxAttachmentBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }),
  allowedAttachmentTypes: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$' }), {
    maxItems: 100,
    uniqueItems: true,
  }),
  businessHours: Nullable(BusinessHours),
});

export const Shop = Type.Object({
  id: Id,
  name: Type.String(),
  settings: ShopSettings,
  /** Admins see the secret they configure their site with. */
  identitySecret: Type.Optional(Type.String()),
  createdAt: Time,
});

export const Staff = Type.Object({
  id: Id,
  shopId: Id,
  email: Type.String(),
  name: Type.String(),
  role: StaffRole,
  capacity: Nullable(Type.Integer()),
  disabled: Type.Boolean(),
  createdAt: Time,
});

export const Customer = Type.Object({
  id: Id,
  kind: Type.Union([Type.Literal('anonymous'), Type.Literal('shop'), Type.Literal('platform')]),
  externalId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  createdAt: Time,
});

export const Team = Type.Object({
  members: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  available: Type.Boolean(),
  openNow: Type.Boolean(),
  offlineMessage: Type.String(),
});

const AttributeValue = Type.Union([Type.String({ maxLength: limits.attributeValueMaxChars }), Type.Number(), Type.Boolean()]);

/** In bodies: every key, value and count checked. */
const CustomerAttributesBody = Type.Record(Type.String({ pattern: attributeKeyPattern }), AttributeValue, {
  maxProperties: limits.attributesMax,
  additionalProperties: false,
});

export const Conversation = Type.Object({
  id: Id,
  shopId: Id,
  shopName: Type.String(),
  kind: Type.Union([Type.Literal('service'), Type.Literal('direct'), Type.Literal('group')]),
  title: Nullable(Type.String()),
  customer: Nullable(Customer),
  status: Nullable(InquiryStatus),
  assigneeId: Nullable(Id),
  lastSeq: Type.Integer(),
  lastMessage: Nullable(
    Type.Object({
      seq: Type.Integer(),
      preview: Type.String(),
      contentType: ContentType,
      senderId: Nullable(Id),
      senderKind: SenderKind,
      at: Time,
    }),
  ),
  lastActivityAt: Time,
  readSeq: Type.Integer(),
  unread: Type.Integer(),
  createdAt: Time,
});

/** A conversation as every viewer sees it (search hits): without the caller's read cursor and unread count. */
export const ConversationSummary = Type.Omit(Conversation, ['readSeq', 'unread']);

export const Attachment = Type.Object(
  {
    id: Id,
    conversationId: Id,
    kind: Type.Union([Type.Literal('image'), Type.Literal('file')]),
    name: Type.String(),
    mime: Type.String(),
    size: Type.Integer(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    thumbnail: Nullable(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
    createdAt: Time,
  },
);

export const Upload = Type.Object({
  id: Id,
  conversationId: Id,
  name: Type.String(),
  size: Type.Integer(),
  offset: Type.Integer(),
  maxChunkBytes: Type.Integer(),
  expiresAt: Time,
});

export const AttachmentLink = Type.Object({ url: Type.String(), expiresAt: Time });

export const FileName = Type.String({ minLength: 1, maxLength: 1000 });

export const Message = Type.Object({
  id: Id,
  conversationId: Id,
  seq: Type.Integer(),
  senderId: Nullable(Id),
  senderKind: SenderKind,
  kind: Type.Union([Type.Literal('user'), Type.Literal('system')]),
  contentType: ContentType,
  text: Nullable(Type.String()),
  visibility: Visibility,
  clientMsgId: Nullable(Type.String()),
  attachment: Nullable(Attachment),
  createdAt: Time,
  deletedAt: Nullable(Time),
});

export const ConversationParams = Type.Object({ conversationId: Id }, { additionalProperties: false });
export const MessageParams = Type.Object({ conversationId: Id, messageId: Id }, { additionalProperties: false });
export const StaffParams = Type.Object({ staffId: Id }, { additionalProperties: false });

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

const ExternalId = Type.String({ minLength: 1, maxLength: 255 });
export const WidgetSessionBody = Type.Object(
  {
    shopId: Id,
    visitorToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    identity: Type.Optional(
      Type.Union([
        Type.Object({ jwt: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
        Type.Object(
          {
            externalId: ExternalId,
            identifierHash: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
            platform: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    profile: Type.Optional(
      Type.Object(
        { name: Type.Optional(Name), email: Type.Optional(Email), attributes: Type.Optional(CustomerAttributesBody) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConversationListQuery = Type.Object(
  {
    status: Type.Optional(InquiryStatus),
    assigneeId: Type.Optional(Id),
    scope: Type.Optional(Type.Union([Type.Literal('shop'), Type.Literal('mine')])),
    view: Type.Optional(Type.Union([Type.Literal('queue'), Type.Literal('mine'), Type.Literal('open'), Type.Literal('closed')])),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageMax })),
  },
  { additionalProperties: false },
);

/** Seqs are 32-bit integers in storage; a larger bound would overflow PostgreSQL's comparison. */
const SeqMax = 2_147_483_647;

export const HistoryQuery = Type.Object(
  {
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: SeqMax })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: SeqMax })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageMax })),
  },
  { additionalProperties: false },
);

export const SendBody = Type.Object(
  {
    clientMsgId: Type.String({ minLength: 1, maxLength: limits.clientMsgIdMaxChars, pattern: '^[A-Za-z0-9._:-]+$' }),
    contentType: Type.Optional(ContentType),
    /** Required for text; the caption (may be empty) for image and file messages. */
    text: Type.Optional(Type.String({ maxLength: limits.textMaxChars })),
    attachmentId: Type.Optional(Id),
    visibility: Type.Optional(Visibility),
  },
  { additionalProperties: false },
);

export const ReadBody = Type.Object({ seq: Type.Integer({ minimum: 0, maximum: 2147483647 }) }, { additionalProperties: false });

export const ShopPatch = Type.Object(
  { name: Type.Optional(Name), settings: Type.Optional(Type.Partial(ShopSettings, { additionalProperties: false })) },
  { additionalProperties: false },
);

export const StaffCreateBody = Type.Object(
  {
    email: Email,
    name: Name,
    role: StaffRole,
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1000 }))),
  },
  { additionalProperties: false },
);

export const StaffPatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    role: Type.Optional(StaffRole),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1000 }))),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

export const TransferBody = Type.Object(
  {
    toStaffId: Nullable(Id),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  {
    additionalProperties: false,
    examples: [{ toStaffId: '01890a5d-ac96-774b-bcce-b302099a8057', note: 'Asks about a refund; you handled the order.' }, { toStaffId: null }],
  },
);

export const InviteBody = Type.Object({ staffId: Id }, { additionalProperties: false, examples: [{ staffId: '01890a5d-ac96-774b-bcce-b302099a8057' }] });

export const Agent = Type.Object({
  staffId: Id,
  name: Type.String(),
  role: StaffRole,
  presence: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
  openInquiries: Type.Integer(),
  capacity: Type.Integer(),
});

export const StatsQuery = Type.Object(
  { from: Type.Optional(Time), to: Type.Optional(Time) },
  { additionalProperties: false },
);

export const AgentStatistics = Type.Object({
  staffId: Id,
  inquiries: Type.Integer(),
  closed: Type.Integer(),
  avgFirstResponseMs: Nullable(Type.Integer()),
  avgHandlingMs: Nullable(Type.Integer()),
});

export const QueuePosition = Type.Object({ position: Nullable(Type.Integer()) });

export const CustomerParams = Type.Object({ customerId: Id }, { additionalProperties: false });

export const CustomerInquiry = Type.Object({
  id: Id,
  conversationId: Id,
  status: InquiryStatus,
  assigneeId: Nullable(Id),
  createdAt: Time,
  assignedAt: Nullable(Time),
  firstResponseAt: Nullable(Time),
  closedAt: Nullable(Time),
});

export const CustomerDetails = Type.Object({
  customer: Customer,
  attributes: Type.Record(Type.String(), AttributeValue),
  inquiries: Type.Array(CustomerInquiry),
});

export const InboxCounts = Type.Object({ queue: Type.Integer(), mine: Type.Integer(), open: Type.Integer(), closed: Type.Integer() });

const Shortcut = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' });
const CannedTitle = Type.String({ minLength: 1, maxLength: 120 });
const CannedText = Type.String({ minLength: 1, maxLength: limits.textMaxChars });

export const CannedResponse = Type.Object({
  id: Id,
  shortcut: Type.String(),
  title: Type.String(),
  text: Type.String(),
  createdBy: Id,
  createdAt: Time,
  updatedAt: Time,
});

export const CannedResponseParams = Type.Object({ cannedId: Id }, { additionalProperties: false });

export const CannedResponseListQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 100, description: 'Shortcuts or titles containing this, ignoring case' })) },
  { additionalProperties: false },
);

export const CannedResponseBody = Type.Object(
  { shortcut: Shortcut, title: CannedTitle, text: CannedText },
  { additionalProperties: false, examples: [{ shortcut: 'refund', title: 'Refund policy', text: 'You can return any item within 30 days.' }] },
);

export const CannedResponsePatchBody = Type.Object(
  { shortcut: Type.Optional(Shortcut), title: Type.Optional(CannedTitle), text: Type.Optional(CannedText) },
  { additionalProperties: false, minProperties: 1 },
);

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Per list; default 20' })),
  },
  { additionalProperties: false },
);

export const SearchResults = Type.Object({
  conversations: Type.Array(Conversation),
  messages: Type.Array(Type.Object({ message: Message, conversation: ConversationSummary })),
});

export const DailyStatsQuery = Type.Object(
  {
    ...StatsQuery.properties,
    tzOffsetMinutes: Type.Optional(
      Type.Integer({ minimum: -840, maximum: 840, description: 'The UTC offset days are cut in, east positive (UTC+08:00 = 480); default 0' }),
    ),
  },
  { additionalProperties: false },
);

export const DayStatistics = Type.Object({
  day: Type.String({ format: 'date' }),
  inquiries: Type.Integer(),
  closed: Type.Integer(),
  answered: Type.Integer(),
  medianFirstResponseMs: Nullable(Type.Integer()),
});
