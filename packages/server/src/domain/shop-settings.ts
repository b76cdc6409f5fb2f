import type { ShopSettings } from '@frontdesk/protocol';

export const defaultShopSettings: ShopSettings = Object.freeze({
  routingStrategy: 'sticky-then-least-busy',
  defaultCapacity: 5,
  widgetOrigins: [],
  autoReassignSeconds: 0,
  offlineMessage: 'We are away right now. Leave a message and we will get back to you.',
  maxAttachmentBytes: 20 * 1024 * 1024,
});

/** Settings as stored may predate newer fields: fill them from the defaults. */
export function withDefaults(stored: Partial<ShopSettings>): ShopSettings {
  return { ...defaultShopSettings, ...stored };
}
