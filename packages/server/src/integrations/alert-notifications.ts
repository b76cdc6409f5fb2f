import os from 'node:os';
import { createTransport } from 'nodemailer';
import type { AlertEvent } from '@frontdesk/protocol';
import type { AlertConfig } from '../config/alerts.ts';
import { newId } from '../domain/ids.ts';
import { resolveHost, systemLookup, type Lookup } from './webhooks/address-policy.ts';
import { connectionPools, post } from './webhooks/send.ts';
import { signedHeaders, USER_AGENT } from './webhooks/signature.ts';

export interface AlertNotifier {
  /** Sends one change of an alert by e-mail and webhook; each failure is logged, neither blocks the other. */
  notify(event: AlertEvent): Promise<void>;
  close(): void;
}

interface Log {
  warn(object: object, message: string): void;
}

const ATTEMPTS = 3;

/**
 * Alert notifications (docs/monitoring.md, "Notifications"): an e-mail over SMTP_URL to
 * ALERT_EMAIL_TO, and a JSON POST to ALERT_WEBHOOK_URL. The webhook goes through the shop webhooks'
 * address policy (https only and no private addresses unless WEBHOOK_ALLOW_HTTP/PRIVATE, checked at
 * every connection) and, with ALERT_WEBHOOK_SECRET, their signature. Each is tried three times.
 * Errors are logged by their message alone: SMTP_URL holds a password.
 */
export function alertNotifier(
  config: AlertConfig,
  policy: { allowHttp: boolean; allowPrivate: boolean; timeoutMs: number; lookup?: Lookup },
  log: Log,
): AlertNotifier {
  const mailer = config.smtpUrl !== null && config.emailTo.length > 0 ? createTransport(config.smtpUrl) : null;
  const pools = connectionPools(policy, (host) => resolveHost(host, { allowPrivate: policy.allowPrivate, lookup: policy.lookup ?? systemLookup }));
  const retry = async (what: string, attempt: () => Promise<void>) => {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (i >= ATTEMPTS) return log.warn({ error: (error as Error).message, to: what }, 'alert notification failed');
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** i).unref());
      }
    }
  };

  async function email(event: AlertEvent): Promise<void> {
    await mailer!.sendMail({ from: config.emailFrom, to: [...config.emailTo], subject: subjectOf(event), text: textOf(event) });
  }

  async function webhook(event: AlertEvent): Promise<void> {
    const body = JSON.stringify({ type: `alert.${event.state}`, alert: event, text: subjectOf(event) });
    const target = await pools.target(config.webhookUrl!);
    const secret = config.webhookSecret;
    const headers = () =>
      secret === null
        ? { 'content-type': 'application/json', 'user-agent': USER_AGENT }
        : signedHeaders(secret, body, { id: newId(), event: `alert.${event.state}` }, Math.floor(Date.now() / 1000));
    const attempt = await post(target, body, headers, policy.timeoutMs);
    if (!attempt.ok) throw new Error(attempt.error ?? `HTTP ${attempt.status}`);
  }

  return {
    async notify(event) {
      await Promise.all([
        mailer ? retry('email', () => email(event)) : undefined,
        config.webhookUrl !== null ? retry('webhook', () => webhook(event)) : undefined,
      ]);
    },
    close() {
      mailer?.close();
      pools.close();
    },
  };
}

function subjectOf(event: AlertEvent): string {
  const where = event.node ?? 'the deployment';
  return event.state === 'firing'
    ? `[Frontdesk] FIRING ${event.rule}: ${event.metric} = ${round(event.value)} (above ${event.threshold}) on ${where}`
    : `[Frontdesk] RESOLVED ${event.rule}: ${event.metric} = ${round(event.value)} (threshold ${event.threshold}) on ${where}`;
}

function textOf(event: AlertEvent): string {
  return [
    subjectOf(event),
    '',
    `Rule: ${event.rule}`,
    `Figure: ${event.metric}`,
    `Value: ${round(event.value)}`,
    `Threshold: ${event.threshold}`,
    `Where: ${event.node ?? 'the deployment'}`,
    `At: ${event.at}`,
    `Sent by: ${os.hostname()}`,
  ].join('\n');
}

const round = (value: number) => Math.round(value * 1000) / 1000;
