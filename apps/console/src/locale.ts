/**
 * The UI's language for Intl (dates, times, numbers, weekday names): zh-CN when the console speaks
 * Chinese, the browser's English otherwise. The shell sets it when the staff member's language is
 * known; module state, because times are formatted deep inside components that get no strings.
 */
let current = 'en';

export const uiLocale = (): string => current;

export function setUiLocale(locale: string): void {
  current = /^zh\b/i.test(locale) ? 'zh-CN' : /^en\b/i.test(navigator.language) ? navigator.language : 'en';
}
