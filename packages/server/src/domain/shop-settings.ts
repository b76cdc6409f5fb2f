import type { ShopSettings } from '@frontdesk/protocol';

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
  // Off until a shop turns it on: a rating question is the shop's choice (docs/api.md#customer-satisfaction-csat).
  csat: Object.freeze({ enabled: false }),
});

/** Settings as stored may predate newer fields: fill them from the defaults. */
export function withDefaults(stored: Partial<ShopSettings>): ShopSettings {
  return { ...defaultShopSettings, ...stored, email: { ...defaultShopSettings.email, ...stored.email }, csat: { ...defaultShopSettings.csat, ...stored.csat } };
}
