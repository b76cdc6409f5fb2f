/** What the embedding page tells the widget (bridge.ts): who the customer is, whether it is open, its language and URL. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { pageUrlFrom, type HostMessage, type WidgetUser } from '../bridge.ts';
import { embedded, params, parentOrigin, toParent } from './context.ts';
import { htmlLang } from './i18n.ts';

export interface Boot {
  readonly user: WidgetUser | null;
  readonly visitorToken: string | null;
}

/**
 * Listens to the shop's page (messages checked for origin and window) and says `ready`. `boot` is
 * null until the page answered (or at once when not embedded); `visitorToken` is for the widget to
 * fill once the server issued one, so that `setUser` folds the anonymous visitor in.
 */
export function useHost() {
  const [locale, setLocale] = useState(params.get('locale') ?? navigator.language);
  const [boot, setBoot] = useState<Boot | null>(embedded ? null : { user: null, visitorToken: null });
  const [open, setOpen] = useState(false);
  /** The embedding page's URL (validated), for ongoing campaigns. */
  const [pageUrl, setPageUrl] = useState<string | null>(null);
  const visitorToken = useRef<string | null>(null);

  useEffect(() => {
    document.documentElement.lang = htmlLang(locale);
  }, [locale]);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== parentOrigin || event.source !== window.parent) return;
      const data = event.data as (HostMessage & { frontdesk?: number }) | null;
      if (!data || data.frontdesk !== 1) return;
      if (data.type === 'init') setBoot({ user: data.user, visitorToken: data.visitorToken });
      else if (data.type === 'visibility') setOpen(data.open);
      else if (data.type === 'locale') setLocale(data.locale);
      // The anonymous visitor so far (if any) becomes this user: their conversation carries over.
      else if (data.type === 'setUser') setBoot((b) => ({ user: data.user, visitorToken: b?.user ? null : (visitorToken.current ?? b?.visitorToken ?? null) }));
      else if (data.type === 'reset') setBoot({ user: null, visitorToken: null });
      else if (data.type === 'page') setPageUrl(pageUrlFrom(data.url, parentOrigin));
    };
    window.addEventListener('message', onMessage);
    toParent({ type: 'ready' });
    return () => window.removeEventListener('message', onMessage);
  }, []);

  return { locale, boot, open, pageUrl, visitorToken };
}
