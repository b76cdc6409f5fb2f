/**
 * Getting an agent's attention (seed 002): a chime, a desktop notification, and the page title,
 * which carries the unread count and flashes while the tab is hidden.
 */
import { chime } from '../../widget/src/app/media.tsx';

export interface Prefs {
  sound: boolean;
  desktop: boolean;
  ctrlEnter: boolean;
  locale: string;
}

const defaults: Prefs = { sound: true, desktop: true, ctrlEnter: false, locale: navigator.language };

/** Per staff member, in this browser. */
export function loadPrefs(staffId: string): Prefs {
  try {
    return { ...defaults, ...(JSON.parse(localStorage.getItem(`frontdesk:console:prefs:${staffId}`) ?? '{}') as Partial<Prefs>) };
  } catch {
    return defaults;
  }
}

export function savePrefs(staffId: string, prefs: Prefs): void {
  try {
    localStorage.setItem(`frontdesk:console:prefs:${staffId}`, JSON.stringify(prefs));
  } catch {
    // not kept: the defaults come back next time
  }
}

export function desktopNotification(title: string, body: string, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const note = new Notification(title, { body, tag: 'frontdesk-console' });
  note.onclick = () => {
    window.focus();
    onClick();
    note.close();
  };
}

/** Calls for one conversation closer together than this are one: a single chime, a single notification. */
const ONCE_WITHIN_MS = 2_000;
const lastCalled = new Map<string, number>();

/** False when `key` called for attention within ONCE_WITHIN_MS (a message that woke a snoozed conversation arrives as two frames). */
function firstCall(key: string | undefined, now: number): boolean {
  if (key === undefined) return true;
  const before = lastCalled.get(key);
  lastCalled.set(key, now);
  if (lastCalled.size > 200) for (const [k, at] of lastCalled) if (now - at >= ONCE_WITHIN_MS) lastCalled.delete(k);
  return before === undefined || now - before >= ONCE_WITHIN_MS;
}

/**
 * One arrival that calls for the agent: a chime, the title flashing while the tab is hidden, and a
 * desktop notification (hidden tab only) that opens it when clicked, as the agent's prefs allow.
 * `key` (a conversation's id): calls for the same one within 2 s chime and notify once.
 */
export function callAttention(badge: TitleBadge, prefs: Prefs, title: string, body: string, onClick: () => void, key?: string): void {
  if (!firstCall(key, Date.now())) return;
  if (prefs.sound) chime(660);
  badge.alert(title);
  if (prefs.desktop && document.hidden) desktopNotification(title, body, onClick);
}

/** The title: "(3) Frontdesk", alternating with the alert text while the tab is hidden. */
export class TitleBadge {
  #base = document.title;
  #unread = 0;
  #alert: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #on = false;

  constructor() {
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) this.#stopFlash();
    });
  }

  set unread(count: number) {
    this.#unread = count;
    this.#render();
  }

  /** Flashes `text` in the title until the tab is shown again (only while hidden). */
  alert(text: string): void {
    if (!document.hidden) return;
    this.#alert = text;
    if (this.#timer !== undefined) return;
    this.#on = true;
    this.#render();
    this.#timer = setInterval(() => {
      this.#on = !this.#on;
      this.#render();
    }, 1000);
  }

  #stopFlash(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#alert = null;
    this.#render();
  }

  #render(): void {
    const counted = this.#unread > 0 ? `(${this.#unread > 99 ? '99+' : this.#unread}) ${this.#base}` : this.#base;
    document.title = this.#alert !== null && this.#on ? `✉ ${this.#alert}` : counted;
  }
}
