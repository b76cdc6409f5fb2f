/** Attachments on screen and the notification chime: shared by the widget and the agent console. */
import { useEffect, useState } from 'preact/hooks';
import type { Attachment, Message } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { formatSize } from './text.tsx';
import type { Strings } from './i18n.ts';

/** Images through a signed thumbnail link (an <img> sends no Authorization header); files on click. */
export function AttachmentView({ attachment, client }: { attachment: Attachment; client: FrontdeskClient | null }) {
  const [thumbnail, setThumbnail] = useState<string | null>(null);
  useEffect(() => {
    if (attachment.kind !== 'image' || !client) return;
    client.files.link(attachment.id, 'thumbnail').then(
      (link) => setThumbnail(link.url),
      () => setThumbnail(null),
    );
  }, [attachment.id, client]);
  const openOriginal = async (event: Event) => {
    event.preventDefault();
    if (!client) return;
    const link = await client.files.link(attachment.id, 'original');
    window.open(link.url, '_blank', 'noopener,noreferrer');
  };
  if (attachment.kind === 'image') {
    const size = attachment.thumbnail ?? { width: 160, height: 120 };
    return (
      <a href="#" onClick={openOriginal} class="image">
        {thumbnail ? <img src={thumbnail} width={size.width} height={size.height} alt={attachment.name} /> : <span class="placeholder" style={{ aspectRatio: `${size.width}/${size.height}` }} />}
      </a>
    );
  }
  return (
    <a href="#" onClick={openOriginal} class="file">
      📄 {attachment.name} <span class="meta">{formatSize(attachment.size)}</span>
    </a>
  );
}

/** The paper-clip button: picks one file and hands it on. */
export function AttachButton({ label, className, onFile }: { label: string; className: string; onFile: (file: File) => void }) {
  return (
    <label class={className} aria-label={label} title={label}>
      <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
        <path d="M21 12.5l-8.5 8.5a6 6 0 0 1-8.5-8.5l9-9a4 4 0 0 1 5.7 5.7l-9 9a2 2 0 0 1-2.8-2.8l8.5-8.5" />
      </svg>
      <input
        type="file"
        class="sr-only"
        onChange={(event) => {
          const input = event.currentTarget;
          const file = input.files?.[0];
          input.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}

/** A message not yet stored: "Sending", or "Not sent · Retry". */
export function PendingState(props: { failed: boolean; labels: { sending: string; failed: string; retry: string }; onRetry: () => void }) {
  const { failed, labels, onRetry } = props;
  return (
    <span class="meta">
      {failed ? (
        <>
          {labels.failed} ·{' '}
          <button type="button" class="link" onClick={onRetry}>
            {labels.retry}
          </button>
        </>
      ) : (
        labels.sending
      )}
    </span>
  );
}

let audio: AudioContext | null = null;

/** A short tone; silently nothing before the first user gesture (autoplay policy). */
export function chime(frequency: number): void {
  try {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.25);
  } catch {
    // no audio: the badge and the title still tell
  }
}

/** A short chime, and a desktop notification when the page is hidden and the customer allowed it. */
export function notify(t: Strings, message: Message): void {
  chime(880);
  if (document.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    new Notification(t.newMessage, { body: message.text ?? message.attachment?.name ?? '', tag: 'frontdesk' });
  }
}
