import type { AttachmentIo, AttachmentOptions } from './attachments.ts';
import type { EventSink } from './events.ts';
import type { Store } from './ports.ts';
import type { RoutingOptions } from './routing.ts';
import type { StaffChatOptions } from './staff-chat/staff-chat.ts';
import type { WebhookIo } from './webhooks.ts';

/** What every domain service needs: storage, where facts go after the commit, the time, and the settings that shape behaviour. */
export interface DomainDeps {
  readonly store: Store;
  readonly events: EventSink;
  readonly now: () => number;
  readonly settings: {
    readonly platformIdentitySecret: string | null;
    readonly staffSessionHours: number;
    readonly customerSessionHours: number;
    readonly routing: RoutingOptions;
    readonly attachments: AttachmentOptions;
    readonly staffChat: StaffChatOptions;
  };
  /** Where attachment bytes are staged and stored, and how they are inspected. */
  readonly files: AttachmentIo;
  /** The outbound side of webhooks: the address policy and the sealing of secrets. */
  readonly webhooks: WebhookIo;
}
