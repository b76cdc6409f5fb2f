/**
 * The staff-chat message box: typing `@` lists the chat's members (and `@all` for those allowed to
 * use it); a pick writes `@Name` and the message carries the member's id in `mentions`, as long as
 * the name is still in the text when it is sent.
 */
import { useRef, useState } from 'preact/hooks';
import { Composer, type ComposerBase, type Suggestion } from './composer.tsx';
import { insertMention, matchMembers, mentionAt, mentionsIn } from './mentions.ts';
import { Avatar } from './ui.tsx';

const SHOWN = 8;
const ALL = 'all';

interface Props extends ComposerBase {
  /** Whom `@` offers: the chat's members besides the agent. */
  readonly members: readonly { readonly id: string; readonly name: string }[];
  /** `@all`: a group's owner or admins, or the shop's. */
  readonly mayMentionAll: boolean;
}

export function StaffComposer({ members, mayMentionAll, ...base }: Props) {
  const { client, conversationId, t } = base;
  const [probe, setProbe] = useState({ draft: '', caret: 0 });
  /** Picked so far in this draft: id → the name written after `@`. */
  const picked = useRef(new Map<string, string>());
  const at = mentionAt(probe.draft, probe.caret);
  const everyone = at !== null && mayMentionAll && ALL.startsWith(at.query) ? [{ id: ALL, name: ALL }] : [];
  const options = at === null ? [] : [...everyone, ...matchMembers(members, at.query)].slice(0, SHOWN);

  const suggestions: Suggestion[] = options.map((option) => ({
    key: option.id,
    content:
      option.id === ALL ? (
        <>
          <strong>@all</strong> <span>{t.everyone}</span>
        </>
      ) : (
        <span class="mention-option">
          <Avatar id={option.id} name={option.name} /> {option.name}
        </span>
      ),
    apply: (draft, caret) => {
      const now = mentionAt(draft, caret);
      if (now === null) return { draft, caret };
      picked.current.set(option.id, option.name);
      return insertMention(draft, caret, now.start, option.name);
    },
  }));

  return (
    <Composer
      {...base}
      placeholder={t.teamPlaceholder}
      onDraft={(draft, caret) => {
        setProbe({ draft, caret });
        if (draft === '') picked.current.clear();
      }}
      suggestions={suggestions}
      suggestionsLabel={t.mentionList}
      onSend={(content) => client.send({ conversationId, ...content, ...('text' in content && { mentions: mentionsIn(content.text, picked.current) }) })}
    />
  );
}
