import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Store } from '../../domain/ports.ts';
import type { Principal } from '../../domain/records.ts';
import type { createMessages } from '../../domain/messages/messages.ts';
import type { EmailAddresses } from './addresses.ts';
import type { EmailStore } from './ports.ts';

interface Log {
  warn(object: object, message: string): void;
}

/** The listener's certificate and key (PEM files), offered with STARTTLS. */
export interface InboundTls {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Changes when either file is replaced or rewritten (a renewal). */
const tlsStamp = (tls: InboundTls) => [tls.certFile, tls.keyFile].map((file) => fs.statSync(file)).map((s) => `${s.size}:${s.mtimeMs}:${s.ino}`).join('|');

/** An SMTP error with its reply code (smtp-server sends `responseCode`). */
const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** Delivery status notifications and their kin: a bounce, not an answer. */
function isBounce(mail: ParsedMail): boolean {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  return type?.value === 'multipart/report' && type.params?.['report-type'] === 'delivery-status';
}

/** Out-of-office and other machine answers (RFC 3834): never stored as the customer's words. */
function isAutomatic(mail: ParsedMail): boolean {
  const auto = String(mail.headers.get('auto-submitted') ?? 'no').toLowerCase();
  return auto !== 'no' || mail.headers.has('x-autoreply') || String(mail.headers.get('precedence') ?? '').toLowerCase() === 'auto_reply';
}

/**
 * The inbound side of e-mail (`SMTP_INBOUND_PORT`): an SMTP listener that accepts mail only for
 * the signed addresses of addresses.ts. A reply goes into its conversation as the customer's
 * message, quoted history stripped, stored once per Message-ID; a bounce marks the customer's
 * address as bouncing (no more e-mail to it); anything else, or a forged address, is refused at
 * RCPT TO with 550 and never read.
 */
export function emailInbound(
  store: Store,
  emails: EmailStore,
  messages: ReturnType<typeof createMessages>,
  addresses: EmailAddresses,
  options: { maxBytes: number; tls: InboundTls | null; now: () => number; log: Log },
) {
  const { tls } = options;
  // Read before the listener exists: a file that went away since the config was checked stops the start.
  let loaded = tls && { stamp: tlsStamp(tls), cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) };
  async function deliver(mail: ParsedMail, raw: Buffer, target: { kind: 'reply' | 'bounce'; conversationId: string }): Promise<void> {
    const facts = await store.conversations.facts(target.conversationId);
    if (!facts || facts.kind !== 'service' || facts.customerId === null) return;
    if (target.kind === 'bounce' || isBounce(mail)) return emails.markBounced(facts.shopId, facts.customerId, options.now());
    if (isAutomatic(mail)) return;
    const text = new EmailReplyParser().parseReply(mail.text ?? '').trim();
    if (text === '') return;
    const customer = await store.customers.find(facts.customerId);
    if (!customer) return;
    const principal: Principal = { kind: 'customer', customer, shopId: facts.shopId, tokenHash: '' };
    const key = createHash('sha256').update(mail.messageId ?? raw).digest('hex').slice(0, 40);
    await messages.send(principal, { conversationId: facts.id, clientMsgId: `mail-${key}`, text: text.slice(0, 8000) });
  }

  const server = new SMTPServer({
    banner: 'Frontdesk',
    authOptional: true,
    disabledCommands: ['AUTH'],
    // STARTTLS with the operator's certificate (SMTP_INBOUND_TLS_*); without one, plain SMTP behind
    // their MTA (docs/channels.md). Never smtp-server's built-in self-signed certificate.
    ...(loaded ? { cert: loaded.cert, key: loaded.key, hideSTARTTLS: false } : { hideSTARTTLS: true }),
    size: options.maxBytes,
    logger: false,
    maxClients: 200,
    socketTimeout: 60_000,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      addresses
        .parse(address.address)
        .then((target) => callback(target ? null : smtpError(550, 'No such recipient here')))
        .catch(() => callback(smtpError(451, 'Try again later')));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, `Messages may be at most ${options.maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        (async () => {
          const mail = await simpleParser(raw);
          for (const recipient of session.envelope.rcptTo) {
            const target = await addresses.parse(recipient.address);
            if (target) await deliver(mail, raw, target);
          }
        })().then(
          () => callback(null),
          (error: unknown) => {
            options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'inbound e-mail not stored');
            callback(smtpError(451, 'Try again later'));
          },
        );
      });
    },
  });

  return {
    /**
     * Takes up a renewed certificate (both files re-read when either changed); connections already
     * open keep the one they began with. A pair that does not work is logged and the old one kept.
     */
    refreshTls(): void {
      if (!tls || !loaded) return;
      let stamp = loaded.stamp;
      try {
        stamp = tlsStamp(tls);
        if (stamp === loaded.stamp) return;
        const next = { stamp, cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) };
        createSecureContext({ cert: next.cert, key: next.key });
        server.updateSecureContext({ cert: next.cert, key: next.key });
        loaded = next;
      } catch (error) {
        options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'inbound SMTP certificate not reloaded; the previous one stays');
        loaded = { ...loaded, stamp };
      }
    },

    async listen(port: number, host: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      return (server.server.address() as AddressInfo).port;
    },
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
