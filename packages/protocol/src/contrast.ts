/**
 * The text colour for a brand colour: white or near-black, whichever has the higher WCAG 2.x
 * contrast ratio with it (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
 */
export const lightText = '#ffffff';
export const darkText = '#111827';

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `#ffffff` or `#111827` on `background` (`#rrggbb`). */
export function textColorOn(background: string): string {
  return contrastRatio(background, lightText) >= contrastRatio(background, darkText) ? lightText : darkText;
}
