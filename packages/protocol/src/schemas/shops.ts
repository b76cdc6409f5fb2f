import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Literals, Nullable, RoutingStrategySchema, StaffRoleSchema, Time } from './atoms.ts';
import { WidgetAppearanceSchema } from './widget-appearance.ts';

export const WeekdaySchema = Literals('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun');
export type Weekday = Wire<typeof WeekdaySchema>;

/** "HH:MM"; "24:00" ends a range at midnight. */
const WallTime = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' });
/** `[start, end]`: a plain array of two rather than a tuple, whose schema differs between JSON Schema drafts (OpenAPI 3.1 and Ajv's). */
const Range = Type.Unsafe<[string, string]>(Type.Array(WallTime, { minItems: 2, maxItems: 2, description: '[start, end]' }));
const DayHours = Type.Array(Range, { maxItems: 4 });

/** A shop's opening hours in its own time zone. */
export const BusinessHoursSchema = Type.Object(
  {
    /** IANA time zone, e.g. `Europe/Berlin`: the hours follow its daylight-saving changes. */
    timezone: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone, e.g. Europe/Berlin' }),
    /**
     * Up to 4 ranges a day, `["HH:MM", "HH:MM"]`, start included, end excluded (`"24:00"` = midnight).
     * A day that is absent or empty is closed.
     */
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
export type BusinessHours = Wire<typeof BusinessHoursSchema>;

/** E-mail to customers who left (docs/channels.md#e-mail). */
export const EmailSettingsSchema = Type.Object(
  {
    /** E-mail staff replies a customer with an address has not read, and take their answers by e-mail. */
    enabled: Type.Boolean(),
    /** The sender's display name; null = the shop's name. The address is the deployment's EMAIL_FROM. */
    fromName: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    /** Minutes a burst of replies must stay unread (and quiet) before it is e-mailed as one e-mail. */
    delayMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    /** E-mail the customer the conversation's transcript when an inquiry is closed. */
    transcriptOnClose: Type.Boolean(),
    /** The widget asks for an e-mail address before the first message (pre-chat); it may be skipped. */
    askBeforeChat: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type EmailSettings = Wire<typeof EmailSettingsSchema>;

/** Customer satisfaction (docs/api.md#customer-satisfaction-csat). */
export const CsatSettingsSchema = Type.Object(
  {
    /** After a close, the widget asks the customer for a 1–5 rating and a comment. */
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type CsatSettings = Wire<typeof CsatSettingsSchema>;

export const ShopSettingsSchema = Type.Object({
  routingStrategy: RoutingStrategySchema,
  /** Open inquiries an agent may hold at once; 0 = unlimited. */
  defaultCapacity: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** Origins allowed to embed the widget, e.g. `https://shop.example`. */
  widgetOrigins: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
  /**
   * The reassignment policy (docs/routing.md#reassignment-policy): seconds a customer may wait
   * unanswered while their agent is away or offline before the conversation moves, once, to an
   * online colleague; 0 = off (the default). Going offline alone never moves a conversation.
   */
  autoReassignSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  offlineMessage: Type.String({ maxLength: 1000 }),
  /** Largest file a customer or agent may upload into this shop, in bytes. */
  maxAttachmentBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }),
  /**
   * Types (sniffed from the bytes, never the declared ones) that may be uploaded. Raster images
   * (png, jpeg, gif, webp) are shown inline; everything else is only ever downloaded.
   */
  allowedAttachmentTypes: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$' }), {
    maxItems: 100,
    uniqueItems: true,
  }),
  /** When the shop answers; null = always open. */
  businessHours: Nullable(BusinessHoursSchema),
  email: EmailSettingsSchema,
  /** The widget's colour, greeting, position, launcher text, logo and pre-chat form (docs/widget.md#appearance). */
  widget: WidgetAppearanceSchema,
  csat: CsatSettingsSchema,
});
export type ShopSettings = Wire<typeof ShopSettingsSchema>;

export const ShopSchema = Type.Object({
  id: Id,
  name: Type.String(),
  settings: ShopSettingsSchema,
  /** Admins see the secret they configure their site with. */
  identitySecret: Type.Optional(Type.String()),
  createdAt: Time,
});
export type Shop = Wire<typeof ShopSchema>;

export const StaffSchema = Type.Object({
  id: Id,
  shopId: Id,
  email: Type.String(),
  name: Type.String(),
  role: StaffRoleSchema,
  /** null = the shop's default capacity. */
  capacity: Nullable(Type.Integer()),
  disabled: Type.Boolean(),
  createdAt: Time,
});
export type Staff = Wire<typeof StaffSchema>;
