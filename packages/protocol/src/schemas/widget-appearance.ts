import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Literals, Nullable } from './atoms.ts';

/** A pre-chat field: not asked, asked with a Skip button, or asked before the first message may be sent. */
export const PrechatModeSchema = Literals('off', 'optional', 'required');
export type PrechatMode = Wire<typeof PrechatModeSchema>;

export const PrechatSchema = Type.Object({ name: PrechatModeSchema, email: PrechatModeSchema }, { additionalProperties: false });
export type Prechat = Wire<typeof PrechatSchema>;

/** How the shop's widget looks (docs/widget.md#appearance). */
export const WidgetAppearanceSchema = Type.Object(
  {
    /** The brand colour of the launcher, header and the visitor's bubbles; its text colour is chosen for contrast. */
    color: Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' }),
    /** Shown as the shop's first message in an empty conversation; '' = none. */
    greeting: Type.String({ maxLength: 200 }),
    /** The corner of the page the launcher sits in. */
    position: Literals('right', 'left'),
    /** Next to the launcher's icon; '' = the icon alone. */
    launcherText: Type.String({ maxLength: 40 }),
    /** The uploaded logo (POST /shop/logo), by the SHA-256 of its bytes; null = none. Only null may be set here. */
    logo: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    /** The pre-chat form (anonymous visitors; identified customers come with what their site knows). */
    prechat: PrechatSchema,
  },
  { additionalProperties: false },
);
export type WidgetAppearance = Wire<typeof WidgetAppearanceSchema>;

/** GET /widget/shops/{shopId}/appearance: what the loader and the widget need before a session, public. */
export const PublicAppearanceSchema = Type.Object({
  shopName: Type.String(),
  color: Type.String(),
  /** `#ffffff` or `#111827`, whichever contrasts more with `color` (WCAG relative luminance). */
  textColor: Type.String(),
  position: Literals('right', 'left'),
  launcherText: Type.String(),
  greeting: Type.String(),
  /** Absolute path of the logo on this server, or null. */
  logoUrl: Nullable(Type.String()),
  prechat: PrechatSchema,
});
export type PublicAppearance = Wire<typeof PublicAppearanceSchema>;

/** POST /shop/logo: a PNG, JPEG, WebP or GIF of at most 128 KiB (checked after decoding), base64-encoded. */
export const LogoBodySchema = Type.Object(
  { contentBase64: Type.String({ minLength: 4, maxLength: 262_144, pattern: '^[A-Za-z0-9+/]+={0,2}$' }) },
  { additionalProperties: false },
);
export type LogoBody = Wire<typeof LogoBodySchema>;
