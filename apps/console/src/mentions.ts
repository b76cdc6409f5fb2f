/**
 * `@` mentions in the staff-chat composer, as text: finding the `@name` being typed, putting the
 * picked member's name in its place, and which of the picked members the text still names when sent.
 */

/** The `@query` being typed just before the caret (after a space or at the start), or null. */
export function mentionAt(draft: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|\s)@([^\s@]{0,40})$/.exec(draft.slice(0, caret));
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/** Replaces the `@query` ending at the caret with `@label `; the caret goes after it. */
export function insertMention(draft: string, caret: number, start: number, label: string): { draft: string; caret: number } {
  const text = `@${label} `;
  return { draft: draft.slice(0, start) + text + draft.slice(caret), caret: start + text.length };
}

/** The ids (or 'all') of the picked mentions whose `@label` is still in the text. */
export function mentionsIn(text: string, picked: ReadonlyMap<string, string>): string[] {
  return [...picked].filter(([, label]) => new RegExp(`(^|\\s)@${escape(label)}(?=$|[\\s.,:;!?，。：；！？])`, 'u').test(text)).map(([id]) => id);
}

/** Members whose name matches what is typed after `@`: names that start with it first. */
export function matchMembers<M extends { readonly name: string }>(members: readonly M[], query: string): M[] {
  const starts = members.filter((m) => m.name.toLowerCase().startsWith(query));
  const contains = members.filter((m) => !starts.includes(m) && m.name.toLowerCase().includes(query));
  return [...starts, ...contains];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
