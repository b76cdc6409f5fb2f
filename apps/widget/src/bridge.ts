/** The postMessage protocol between the loader (the shop's page) and the widget iframe. */
import type { Message } from '@frontdesk/protocol';

export interface WidgetUser {
  /** A JWT signed with the shop's (or the platform's) identity secret: HS256, `sub` = external id. */
  readonly jwt?: string;
  /** Or: the external id and hex(HMAC-SHA256(secret, id)). */
  readonly id?: string;
  readonly identifierHash?: string;
  readonly name?: string;
  readonly email?: string;
}

/** Page → widget. */
export type HostMessage =
  /** Answers `ready`: what the page keeps for the widget (its storage is first-party; the iframe's may be blocked). */
  | { readonly type: 'init'; readonly visitorToken: string | null; readonly user: WidgetUser | null }
  | { readonly type: 'visibility'; readonly open: boolean }
  | { readonly type: 'setUser'; readonly user: WidgetUser }
  | { readonly type: 'reset' }
  | { readonly type: 'locale'; readonly locale: string }
  /** The page's URL, at start and after each navigation: ongoing campaigns match it (the widget checks it is the parent's origin). */
  | { readonly type: 'page'; readonly url: string };

/** Widget → page. */
export type WidgetMessage =
  | { readonly type: 'ready' }
  /** A new anonymous visitor: the page keeps its token for the next visit. */
  | { readonly type: 'visitor'; readonly visitorToken: string | null }
  | { readonly type: 'unread'; readonly count: number; readonly label: string }
  | { readonly type: 'message'; readonly message: Message; readonly flash?: string }
  /** A proactive message (an ongoing campaign) while the chat is closed: the page shows its preview beside the launcher. */
  | { readonly type: 'proactive'; readonly text: string; readonly from: string }
  | { readonly type: 'close' }
  /** The shop's look for the launcher (docs/widget.md#appearance); colours are `#rrggbb`, checked again by the loader. */
  | { readonly type: 'brand'; readonly color: string; readonly textColor: string; readonly position: 'right' | 'left'; readonly launcherText: string };

const MAX_PAGE_URL = 2048;

/** The page's URL as the loader reported it, if it is an http(s) URL of the embedding page's own origin; else null. */
export function pageUrlFrom(value: unknown, parentOrigin: string): string | null {
  if (typeof value !== 'string' || value.length > MAX_PAGE_URL) return null;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === parentOrigin ? url.href : null;
  } catch {
    return null;
  }
}
