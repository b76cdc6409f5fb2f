import type { Prechat, ShopSettings } from '@frontdesk/protocol';

export const defaultShopSettings: ShopSettings = Object.freeze({
  routingStrategy: 'sticky-then-least-busy',
  defaultCapacity: 5,
  widgetOrigins: [],
  autoReassignSeconds: 0,
  offlineMessage: 'We are away right now. Leave a message and we will get back to you.',
  maxAttachmentBytes: 20 * 1024 * 1024,
  // Raster images are shown inline; the rest is downloaded. No markup (HTML, SVG, XML): it runs
  // scripts when opened. A shop may change the list; nothing outside the raster types is ever inline.
  allowedAttachmentTypes: [
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'text/plain',
    'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'audio/mpeg',
    'audio/ogg',
    'audio/wav',
    'video/mp4',
    'video/webm',
    'video/quicktime',
  ],
  businessHours: null,
  email: Object.freeze({ enabled: true, fromName: null, delayMinutes: 10, transcriptOnClose: false, askBeforeChat: false }),
  widget: Object.freeze({ color: '#2563eb', greeting: '', position: 'right', launcherText: '', logo: null, prechat: Object.freeze({ name: 'off', email: 'off' }) }),
  // Off until a shop turns it on: a rating question is the shop's choice (docs/api.md#customer-satisfaction-csat).
  csat: Object.freeze({ enabled: false }),
});

/** Settings as stored may predate newer fields: fill them from the defaults. */
export function withDefaults(stored: Partial<ShopSettings>): ShopSettings {
  return {
    ...defaultShopSettings,
    ...stored,
    email: { ...defaultShopSettings.email, ...stored.email },
    widget: { ...defaultShopSettings.widget, ...stored.widget, prechat: { ...defaultShopSettings.widget.prechat, ...stored.widget?.prechat } },
    csat: { ...defaultShopSettings.csat, ...stored.csat },
  };
}

/**
 * The pre-chat form in force: the widget settings, where the older e-mail-only question
 * (`email.askBeforeChat`, skippable) still counts as an optional e-mail.
 */
export function prechatOf(settings: ShopSettings): Prechat {
  const { name, email } = settings.widget.prechat;
  const legacyEmail = settings.email.enabled && settings.email.askBeforeChat;
  return { name, email: email === 'off' && legacyEmail ? 'optional' : email };
}
