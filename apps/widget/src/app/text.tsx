/** Message text with links made clickable, safely: only http(s) URLs, opened without an opener. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

export function Linkified({ text }: { text: string }) {
  const parts: Array<string | { href: string }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push({ href: match[0] });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  // Text goes in as text nodes (Preact escapes it); an href is a parsed http(s) URL or plain text.
  return (
    <>
      {parts.map((part, i) => {
        if (typeof part === 'string') return part;
        let url: URL;
        try {
          url = new URL(part.href);
        } catch {
          return part.href;
        }
        return (
          <a key={i} href={url.href} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part.href}
          </a>
        );
      })}
    </>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso: string, locale: string, withDate: boolean): string {
  const date = new Date(iso);
  return withDate
    ? date.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** Up to two initials (the first letters of the first and last words; one CJK character). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0]!;
  if (/\p{Script=Han}/u.test(first) || words.length === 1) return first.toUpperCase();
  return (first + [...words.at(-1)!][0]!).toUpperCase();
}

/** A stable colour per person, dark enough for white initials (WCAG AA). */
export function colorOf(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 38%)`;
}
