/**
 * Where the widget runs: the parameters of its address (the fragment, never sent to a server), the
 * server it talks to, and the shop's page that embeds it (origin-checked postMessage).
 */
import type { WidgetMessage } from '../bridge.ts';

export const params = new URLSearchParams(location.hash.slice(1));
export const shopId = new URLSearchParams(location.search).get('shop') ?? '';
export const parentOrigin = params.get('parent') ?? '';
/** The link of a reply e-mail (docs/channels.md#e-mail): in the fragment, so no server or log sees it. */
export const signInLink = params.get('signin');
if (signInLink) history.replaceState(null, '', location.pathname + location.search);
/** Messages further apart than this get a time separator (seed 000: two minutes). */
export const gapMs = Number(params.get('gap') ?? 120) * 1000;
export const api = `${location.origin}/api/v1`;
export const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
export const embedded = window.parent !== window;

/** The iframe's own storage may be refused (third-party): preferences then last the visit only. */
export const prefs = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // not kept
    }
  },
};

export function toParent(message: WidgetMessage) {
  if (parentOrigin && window.parent !== window) window.parent.postMessage({ frontdesk: 1, ...message }, parentOrigin);
}
