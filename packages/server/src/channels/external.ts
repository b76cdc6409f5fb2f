import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { Kysely } from 'kysely';
import { diskBlobStore } from '../blobs/disk.ts';
import type { Config } from '../config/config.ts';
import type { Store } from '../domain/ports.ts';
import type { Services } from '../domain/services.ts';
import { emailStore } from '../storage/email-store.ts';
import type { Database } from '../storage/schema.ts';
import { wechatStore } from '../storage/wechat-store.ts';
import { emailChannel, type EmailChannel } from './email/email.ts';
import { wechatChannel, type WechatChannel } from './wechat/wechat.ts';

interface Log {
  warn(object: object, message: string): void;
}

export interface ExternalChannels {
  readonly wechat: WechatChannel;
  /** Null without SMTP_URL. */
  readonly email: EmailChannel | null;
}

/** The channels whose customers are not on a socket (DESIGN.md §10, docs/channels.md): WeChat and e-mail. */
export function externalChannels(config: Config, store: Store, db: Kysely<Database>, services: Services, now: () => number, log: Log): ExternalChannels {
  const blobs = diskBlobStore(path.join(config.dataDir, 'blobs'));
  const wechat = wechatChannel({
    store,
    wechat: wechatStore(db),
    customers: services.channelCustomers,
    readAttachment: async (id) => {
      const attachment = await store.attachments.find(id);
      const blob = attachment && (await blobs.read(attachment.blobKey));
      if (!attachment || !blob) return undefined;
      return { bytes: await buffer(blob.stream), name: attachment.name, mime: attachment.mime };
    },
    apiBase: config.wechat.apiBase,
    publicUrl: config.publicUrl,
    maxImageBytes: config.attachments.maxBytes,
    now,
    log,
  });
  const { smtpUrl } = config.email;
  const email =
    smtpUrl === null
      ? null
      : emailChannel({
          store,
          emails: emailStore(db),
          messages: services.messages,
          links: services.signInLinks,
          settings: { ...config.email, smtpUrl },
          publicUrl: config.publicUrl,
          maxInboundBytes: 10 * 1024 * 1024,
          now,
          log,
        });
  return { wechat, email };
}
