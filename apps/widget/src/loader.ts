/**
 * /widget.js: the few kilobytes a shop puts on its pages.
 *
 *   <script src="https://HOST/widget.js" data-shop="SHOP_ID" async></script>
 *
 * It adds a launcher bubble (in a closed shadow root, so the page's CSS cannot reach it and ours
 * cannot leak out) and the chat itself in an iframe served by Frontdesk (its own origin, so the
 * page's scripts cannot read the conversation). The two talk by postMessage, each checking the
 * other's origin and window. `window.Frontdesk` is the page's API.
 */
import type { HostMessage, WidgetMessage, WidgetUser } from './bridge.ts';

type Listener = (detail: unknown) => void;

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const shop = script?.dataset.shop;
  if (!script || !shop) {
    console.error('[frontdesk] widget.js needs data-shop="SHOP_ID" on its script tag');
    return;
  }
  const w = window as unknown as { Frontdesk?: unknown };
  if (w.Frontdesk) return; // loaded twice
  const server = new URL(script.src).origin;
  let locale = script.dataset.locale ?? navigator.language;

  const host = document.createElement('div');
  host.setAttribute('data-frontdesk-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
:host{all:initial}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;
background:#2563eb;color:#fff;box-shadow:0 6px 20px rgba(0,0,0,.25);z-index:2147483646;display:flex;align-items:center;justify-content:center}
.launcher:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#dc2626;
color:#fff;font:600 12px/20px system-ui,sans-serif;box-sizing:border-box;text-align:center}
.frame{position:fixed;right:20px;bottom:88px;width:380px;height:min(640px,calc(100vh - 108px));border-radius:14px;overflow:hidden;
box-shadow:0 10px 40px rgba(0,0,0,.3);z-index:2147483647;background:#fff}
.frame[hidden],.badge[hidden]{display:none}
iframe{border:0;width:100%;height:100%}
.teaser{position:fixed;right:20px;bottom:88px;max-width:min(300px,calc(100vw - 40px));z-index:2147483646;background:#fff;color:#111827;
border:0;border-radius:12px;padding:10px 14px;text-align:left;cursor:pointer;box-shadow:0 6px 24px rgba(0,0,0,.2);font:14px/1.4 system-ui,sans-serif;white-space:pre-wrap;overflow-wrap:anywhere}
.teaser b{display:block;font-size:12px;color:#4b5563;margin-bottom:2px}
.teaser[hidden]{display:none}
@media (prefers-color-scheme:dark){.teaser,.frame{background:#161b26;color:#e5e7eb}.teaser b{color:#9ca3af}}
.launcher.text{width:auto;padding:0 18px 0 14px;border-radius:28px;gap:8px;font:600 15px/1 system-ui,sans-serif}
.label:empty{display:none}
.launcher.wait{visibility:hidden}
:host(.left) .launcher,:host(.left) .frame,:host(.left) .teaser{right:auto;left:20px}
@media (max-width:480px){.frame,:host(.left) .frame{right:0;left:0;bottom:0;width:100vw;height:100vh;border-radius:0}}
</style>
<div class="frame" hidden><iframe title="Chat"></iframe></div>
<button class="teaser" type="button" hidden><b></b><span></span></button>
<button class="launcher wait" type="button" aria-expanded="false" aria-label="Chat">
<svg width="28" height="28" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 2-2z"/></svg>
<span class="label"></span><span class="badge" hidden></span></button>`;
  const frame = root.querySelector('.frame') as HTMLDivElement;
  const iframe = root.querySelector('iframe') as HTMLIFrameElement;
  const launcher = root.querySelector('.launcher') as HTMLButtonElement;
  const badge = root.querySelector('.badge') as HTMLSpanElement;
  const teaser = root.querySelector('.teaser') as HTMLButtonElement;
  const label = root.querySelector('.label') as HTMLSpanElement;
  // Shown in the shop's colours rather than first in the default ones: when the widget tells
  // them, or after a few seconds if it never does.
  const show = () => launcher.classList.remove('wait');
  setTimeout(show, 4000);
  // The shop goes in the query (the server sets who may frame the page from it); the rest stays in
  // the fragment, which never leaves the browser.
  const params = new URLSearchParams({ parent: location.origin, locale, ...(script.dataset.timeGap && { gap: script.dataset.timeGap }) });
  iframe.src = `${server}/widget/?shop=${encodeURIComponent(shop)}#${params}`;

  /** The launcher's accessible name: the shop's launcher text, else the widget's "Chat". */
  let name = 'Chat';
  let ready = false;
  let isOpen = false;
  let user: WidgetUser | null = null;
  // The visitor token lives in the page's own storage: the iframe's storage is third-party and
  // browsers may refuse or partition it.
  const visitorKey = `frontdesk:${shop}:visitor`;
  const storage = {
    get: () => {
      try {
        return localStorage.getItem(visitorKey);
      } catch {
        return null;
      }
    },
    set: (token: string | null) => {
      try {
        if (token === null) localStorage.removeItem(visitorKey);
        else localStorage.setItem(visitorKey, token);
      } catch {
        // storage refused: the visitor starts afresh on the next visit
      }
    },
  };
  const queue: HostMessage[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const emit = (event: string, detail: unknown) => listeners.get(event)?.forEach((fn) => fn(detail));
  const post = (message: HostMessage) => {
    if (!ready) return void queue.push(message);
    iframe.contentWindow?.postMessage({ frontdesk: 1, ...message }, server);
  };

  const setOpen = (open: boolean) => {
    isOpen = open;
    frame.hidden = !open;
    if (open) teaser.hidden = true;
    launcher.setAttribute('aria-expanded', String(open));
    post({ type: 'visibility', open });
    if (open) iframe.focus();
  };

  // Title flashing while the tab is hidden (seed 002): the page's title is only ours to borrow.
  let flashing: ReturnType<typeof setInterval> | undefined;
  const title = { saved: document.title };
  const stopFlash = () => {
    if (flashing === undefined) return;
    clearInterval(flashing);
    flashing = undefined;
    document.title = title.saved;
  };
  const flash = (text: string) => {
    if (!document.hidden || flashing !== undefined) return;
    title.saved = document.title;
    let on = false;
    flashing = setInterval(() => {
      on = !on;
      document.title = on ? text : title.saved;
    }, 1000);
  };
  document.addEventListener('visibilitychange', () => !document.hidden && stopFlash());

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== server || event.source !== iframe.contentWindow) return;
    const data = event.data as (WidgetMessage & { frontdesk?: number }) | null;
    if (!data || data.frontdesk !== 1) return;
    switch (data.type) {
      case 'ready':
        ready = true;
        post({ type: 'init', visitorToken: storage.get(), user });
        for (const message of queue.splice(0)) post(message);
        post({ type: 'page', url: location.href });
        post({ type: 'visibility', open: isOpen });
        emit('ready', undefined);
        break;
      case 'visitor':
        storage.set(data.visitorToken);
        break;
      case 'unread':
        badge.hidden = data.count === 0;
        badge.textContent = data.count > 99 ? '99+' : String(data.count);
        // The launcher's visible text, when the shop gave one, is also its name (WCAG 2.5.3, label in name).
        name = label.textContent || data.label;
        launcher.setAttribute('aria-label', data.count > 0 ? `${name} (${data.count})` : name);
        emit('unread', data.count);
        break;
      case 'message':
        emit('message', data.message);
        if (data.flash) flash(data.flash);
        break;
      case 'proactive':
        // Text only (textContent): the page never parses what a campaign says.
        if (isOpen) break;
        (teaser.firstChild as HTMLElement).textContent = data.from;
        (teaser.lastChild as HTMLElement).textContent = data.text;
        teaser.hidden = false;
        break;
      case 'brand': {
        // The shop's look (docs/widget.md#appearance): only #rrggbb colours reach the style.
        const color = /^#[0-9a-f]{6}$/i;
        if (color.test(data.color) && color.test(data.textColor)) {
          launcher.style.background = data.color;
          launcher.style.color = data.textColor;
        }
        host.classList.toggle('left', data.position === 'left');
        label.textContent = data.launcherText;
        name = data.launcherText || name;
        launcher.setAttribute('aria-label', name);
        launcher.classList.toggle('text', data.launcherText !== '');
        show();
        break;
      }
      case 'close':
        setOpen(false);
        launcher.focus();
        break;
    }
  });

  launcher.addEventListener('click', () => setOpen(!isOpen));
  teaser.addEventListener('click', () => setOpen(true));
  // Single-page sites change the URL without loading: a cheap look every second tells the widget.
  let href = location.href;
  setInterval(() => {
    if (location.href === href) return;
    href = location.href;
    if (ready) post({ type: 'page', url: href });
  }, 1000);
  (document.body ?? document.documentElement).appendChild(host);

  w.Frontdesk = Object.freeze({
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    /** Identifies the visitor (JWT or identifierHash); their history carries over. */
    setUser: (next: WidgetUser) => {
      user = next;
      post({ type: 'setUser', user: next });
    },
    /** On logout: forget the visitor and start afresh. */
    reset: () => {
      user = null;
      storage.set(null);
      post({ type: 'reset' });
    },
    setLocale: (next: string) => {
      locale = next;
      post({ type: 'locale', locale: next });
    },
    on: (event: 'ready' | 'message' | 'unread', fn: Listener) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      return () => listeners.get(event)?.delete(fn);
    },
  });
})();
