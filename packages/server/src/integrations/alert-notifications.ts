import os from 'node:os';
import { createTransport } from 'nodemailer';
import type { AlertEvent } from '@frontdesk/protocol';
import type { AlertConfig } from '../config/alerts.ts';
import { newId } from '../domain/ids.ts';
import { resolveHost, systemLookup, type Lookup } from './webhooks/address-policy.ts';
import { connectionPools, post } from './webhooks/send.ts';
import { signedHeaders, USER_AGENT } from './webhooks/signature.ts';

export interface AlertNotifier {
  /**
   * Queues one change of an alert for e-mail and webhook, each its own queue: sent in order, a
   * failure tried again (1 s, 2 s, 4 s … every minute) until it goes or is an hour old. Returns
   * at once: nothing here waits for the database or holds the next evaluation.
   */
  notify(event: AlertEvent): void;
  close(): void;
}

interface Log {
  warn(object: object, message: string): void;
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** A change older than this is dropped (logged): an alert an hour late helps nobody. */
const GIVE_UP_MS = 3_600_000;
/** Changes kept per target while it is down; beyond, the oldest go (logged). */
const QUEUE_MAX = 200;

/**
 * One target's changes, sent one at a time in order; a failure waits and tries the same change
 * again, so a resolution never arrives before its firing.
 */
function orderedSender(target: string, send: (event: AlertEvent) => Promise<void>, log: Log, now: () => number) {
  const queue: Array<{ event: AlertEvent; queuedAt: number }> = [];
  let running = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const pause = (ms: number) => new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));

  async function drain(): Promise<void> {
    running = true;
    let delay = RETRY_FIRST_MS;
    while (queue.length > 0 && !closed) {
      const head = queue[0]!;
      if (now() - head.queuedAt > GIVE_UP_MS) {
        queue.shift();
        log.warn({ to: target, rule: head.event.rule, state: head.event.state }, 'alert notification given up after an hour');
        continue;
      }
      try {
        await send(head.event);
        queue.shift();
        delay = RETRY_FIRST_MS;
      } catch (error) {
        log.warn({ error: (error as Error).message, to: target, retryInMs: delay }, 'alert notification failed; trying again');
        await pause(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
    running = false;
  }

  return {
    push(event: AlertEvent) {
      if (closed) return;
      queue.push({ event, queuedAt: now() });
      if (queue.length > QUEUE_MAX) log.warn({ to: target, rule: queue.shift()!.event.rule }, 'alert notification dropped: too many waiting');
      if (!running) void drain();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Alert notifications (docs/monitoring.md, "Notifications"): an e-mail over SMTP_URL to
 * ALERT_EMAIL_TO, and a JSON POST to ALERT_WEBHOOK_URL. The webhook goes through the shop webhooks'
 * address policy (https only and no private addresses unless WEBHOOK_ALLOW_HTTP/PRIVATE, checked at
 * every connection) and, with ALERT_WEBHOOK_SECRET, their signature. Errors are logged by their
 * message alone: SMTP_URL holds a password. The queues live in this process (a database that is
 * down must not silence the alert about it): a restart forgets what was not sent.
 */
export function alertNotifier(
  config: AlertConfig,
  policy: { allowHttp: boolean; allowPrivate: boolean; timeoutMs: number; lookup?: Lookup },
  log: Log,
  now: () => number = Date.now,
): AlertNotifier {
  const mailer = config.smtpUrl !== null && config.emailTo.length > 0 ? createTransport(config.smtpUrl) : null;
  const pools = connectionPools(policy, (host) => resolveHost(host, { allowPrivate: policy.allowPrivate, lookup: policy.lookup ?? systemLookup }));

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

  const emails = mailer ? orderedSender('email', email, log, now) : null;
  const webhooks = config.webhookUrl !== null ? orderedSender('webhook', webhook, log, now) : null;
  return {
    notify(event) {
      emails?.push(event);
      webhooks?.push(event);
    },
    close() {
      emails?.close();
      webhooks?.close();
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
