/**
 * The shop's widget appearance (docs/widget.md#appearance): read once at start, applied to the
 * iframe as CSS variables and handed to the loader (launcher colour, side, text).
 */
import { useEffect, useState } from 'preact/hooks';
import type { PublicAppearance } from '@frontdesk/protocol';
import type { WidgetMessage } from '../bridge.ts';

/** Until the shop's answer arrives, or if it never does: the look of a shop that changed nothing. */
export const defaultAppearance: PublicAppearance = {
  shopName: '',
  color: '#2563eb',
  textColor: '#ffffff',
  position: 'right',
  launcherText: '',
  greeting: '',
  logoUrl: null,
  prechat: { name: 'off', email: 'off' },
};

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** Sets the brand colour and its text colour on the page (only well-formed colours reach CSS). */
export function applyColors(appearance: Pick<PublicAppearance, 'color' | 'textColor'>): void {
  const style = document.documentElement.style;
  if (COLOR.test(appearance.color)) style.setProperty('--brand', appearance.color);
  if (COLOR.test(appearance.textColor)) style.setProperty('--brand-fg', appearance.textColor);
}

/** What the loader needs for the launcher. */
export function brandMessage(appearance: PublicAppearance): WidgetMessage {
  const { color, textColor, position, launcherText } = appearance;
  return { type: 'brand', color, textColor, position, launcherText };
}

export function useAppearance(api: string, shopId: string, toParent: (message: WidgetMessage) => void): PublicAppearance {
  const [appearance, setAppearance] = useState<PublicAppearance>(defaultAppearance);
  useEffect(() => {
    fetch(`${api}/widget/shops/${encodeURIComponent(shopId)}/appearance`)
      .then((response) => (response.ok ? (response.json() as Promise<PublicAppearance>) : defaultAppearance))
      .catch(() => defaultAppearance)
      .then((next) => {
        setAppearance(next);
        applyColors(next);
        toParent(brandMessage(next));
      });
  }, []);
  return appearance;
}
