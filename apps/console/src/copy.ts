/**
 * Copies `text`; where the Clipboard API is missing or refused (a console served over plain HTTP
 * on a LAN address is not a secure context) it selects `field` so that Ctrl+C does it.
 */
export async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.focus();
    field?.select();
    return false;
  }
}
