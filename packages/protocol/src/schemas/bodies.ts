import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { Id, LocaleSchema, Nullable, StaffRoleSchema } from './atoms.ts';
import { CustomerAttributesBody } from './customers.ts';
import { ShopSettingsSchema } from './shops.ts';

/** The HTTP request bodies other than the message requests (message-requests.ts). None takes an unknown field. */
const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: limits.nameMaxChars });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Capacity = Nullable(Type.Integer({ minimum: 0, maximum: 1000 }));

export const LoginBodySchema = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  strict,
);
export type LoginBody = Wire<typeof LoginBodySchema>;

const ExternalId = Type.String({ minLength: 1, maxLength: 255 });
export const WidgetSessionBodySchema = Type.Object(
  {
    shopId: Id,
    visitorToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** From the link of a reply e-mail (docs/channels.md#e-mail): back into that customer's conversation. */
    signInLink: Type.Optional(Type.String({ minLength: 10, maxLength: 600, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' })),
    identity: Type.Optional(
      Type.Union([
        Type.Object({ jwt: Type.String({ minLength: 1, maxLength: 4096 }) }, strict),
        Type.Object(
          {
            externalId: ExternalId,
            identifierHash: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
            platform: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
      ]),
    ),
    profile: Type.Optional(
      Type.Object({ name: Type.Optional(Name), email: Type.Optional(Email), attributes: Type.Optional(CustomerAttributesBody) }, strict),
    ),
    /** The widget's language: the shop's e-mails to this customer are written in it. */
    locale: Type.Optional(LocaleSchema),
  },
  strict,
);
export type WidgetSessionBody = Wire<typeof WidgetSessionBodySchema>;

/** PATCH /api/v1/widget/profile: the customer leaves an address to be answered at (the offline form). */
/** The pre-chat or offline form: an address, a name, or both. */
export const WidgetProfileBodySchema = Type.Object({ email: Type.Optional(Email), name: Type.Optional(Name) }, { ...strict, minProperties: 1 });
export type WidgetProfileBody = Wire<typeof WidgetProfileBodySchema>;

export const ShopPatchSchema = Type.Object({ name: Type.Optional(Name), settings: Type.Optional(Type.Partial(ShopSettingsSchema, strict)) }, strict);
export type ShopPatch = Wire<typeof ShopPatchSchema>;

export const StaffCreateBodySchema = Type.Object(
  {
    email: Email,
    name: Name,
    role: StaffRoleSchema,
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
    capacity: Type.Optional(Capacity),
  },
  strict,
);
export type StaffCreateBody = Wire<typeof StaffCreateBodySchema>;

export const StaffPatchBodySchema = Type.Object(
  {
    name: Type.Optional(Name),
    role: Type.Optional(StaffRoleSchema),
    capacity: Type.Optional(Capacity),
    disabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);
export type StaffPatchBody = Wire<typeof StaffPatchBodySchema>;

export const TransferBodySchema = Type.Object(
  {
    toStaffId: Nullable(Id),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  {
    ...strict,
    examples: [{ toStaffId: '01890a5d-ac96-774b-bcce-b302099a8057', note: 'Asks about a refund; you handled the order.' }, { toStaffId: null }],
  },
);
export type TransferBody = Wire<typeof TransferBodySchema>;

export const InviteBodySchema = Type.Object({ staffId: Id }, { ...strict, examples: [{ staffId: '01890a5d-ac96-774b-bcce-b302099a8057' }] });
export type InviteBody = Wire<typeof InviteBodySchema>;

const Shortcut = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' });
const CannedTitle = Type.String({ minLength: 1, maxLength: 120 });
const CannedText = Type.String({ minLength: 1, maxLength: limits.textMaxChars });

export const CannedResponseBodySchema = Type.Object(
  { shortcut: Shortcut, title: CannedTitle, text: CannedText },
  { ...strict, examples: [{ shortcut: 'refund', title: 'Refund policy', text: 'You can return any item within 30 days.' }] },
);
export type CannedResponseBody = Wire<typeof CannedResponseBodySchema>;

export const CannedResponsePatchBodySchema = Type.Object(
  { shortcut: Type.Optional(Shortcut), title: Type.Optional(CannedTitle), text: Type.Optional(CannedText) },
  { ...strict, minProperties: 1 },
);
export type CannedResponsePatchBody = Wire<typeof CannedResponsePatchBodySchema>;

/** POST /conversations/{id}/uploads: a resumable upload of `size` bytes. */
export const StartUploadBodySchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 1000 }), size: Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 }) },
  strict,
);
export type StartUploadBody = Wire<typeof StartUploadBodySchema>;
