import fs from 'node:fs';
import path from 'node:path';
import { alertMetrics, type AlertMetric, type AlertRule } from '../observability/alert-rules.ts';
import type { Env } from './env.ts';

/** Alert rules and where their notifications go (docs/monitoring.md, "Alerts"): the platform operator's, from the environment. */
export interface AlertConfig {
  readonly rules: readonly AlertRule[];
  /** How often the rules are evaluated. */
  readonly evaluateMs: number;
  /** smtp:// or smtps:// with its credentials; never logged. Null: no e-mail. */
  readonly smtpUrl: string | null;
  readonly emailTo: readonly string[];
  readonly emailFrom: string;
  /** Receives a JSON POST per change; null: no webhook. */
  readonly webhookUrl: string | null;
  /** Signs the webhook's body like shop webhooks (X-Frontdesk-Signature); null: unsigned. */
  readonly webhookSecret: string | null;
}

type Fail = (message: string) => never;

/** The rules used when notifications are configured but no rule is given (seed 000's load cron, and more). */
export const defaultAlertRules: readonly AlertRule[] = Object.freeze([
  { name: 'event-loop-lag', metric: 'event_loop_lag_ms', above: 200, forMs: 120_000 },
  { name: 'load', metric: 'load_per_cpu', above: 2, forMs: 300_000 },
  { name: 'send-slow', metric: 'send_p99_ms', above: 500, forMs: 300_000 },
  { name: 'http-errors', metric: 'http_error_rate', above: 0.05, forMs: 300_000 },
  { name: 'webhooks-failing', metric: 'webhook_failures', above: 50, forMs: 900_000 },
  { name: 'queue-wait', metric: 'queue_wait_ms', above: 600_000, forMs: 60_000 },
  { name: 'node-gone', metric: 'nodes_gone', above: 0, forMs: 0 },
]);

const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+$/;

/** ALERT_RULES (JSON) or ALERTS_FILE (a JSON file), SMTP_URL, ALERT_EMAIL_TO/FROM, ALERT_WEBHOOK_URL/SECRET, ALERT_EVALUATE_MS. */
export function loadAlertConfig(env: Env, cwd: string, fail: Fail, evaluateMs: number): AlertConfig {
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]/.test(smtpUrl)) fail('SMTP_URL must start with smtp:// or smtps://.');
  const emailTo = (env.ALERT_EMAIL_TO ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const address of emailTo) if (!EMAIL.test(address)) fail(`ALERT_EMAIL_TO holds "${address}", which is not an e-mail address.`);
  if (emailTo.length > 0 && smtpUrl === null) fail('ALERT_EMAIL_TO is set but SMTP_URL is not: alerts are e-mailed over SMTP.');
  const emailFrom = env.ALERT_EMAIL_FROM || 'frontdesk-alerts@localhost';
  if (!EMAIL.test(emailFrom)) fail(`ALERT_EMAIL_FROM must be an e-mail address, got "${emailFrom}".`);
  const webhookUrl = env.ALERT_WEBHOOK_URL || null;
  if (webhookUrl !== null && !/^https?:\/\/[^/]/.test(webhookUrl)) fail('ALERT_WEBHOOK_URL must be an http(s):// URL.');
  const webhookSecret = env.ALERT_WEBHOOK_SECRET || null;
  if (webhookSecret !== null && webhookSecret.length < 16) fail('ALERT_WEBHOOK_SECRET must be at least 16 characters long.');

  let source: { name: string; text: string } | null = null;
  if (env.ALERT_RULES && env.ALERTS_FILE) fail('Set ALERT_RULES or ALERTS_FILE, not both.');
  if (env.ALERT_RULES) source = { name: 'ALERT_RULES', text: env.ALERT_RULES };
  if (env.ALERTS_FILE) {
    const file = path.resolve(cwd, env.ALERTS_FILE);
    try {
      source = { name: 'ALERTS_FILE', text: fs.readFileSync(file, 'utf8') };
    } catch (error) {
      fail(`ALERTS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  const notifies = emailTo.length > 0 || webhookUrl !== null;
  const rules = source !== null ? parseRules(source.name, source.text, fail) : notifies ? defaultAlertRules : [];
  return Object.freeze({ rules: Object.freeze(rules), evaluateMs, smtpUrl, emailTo: Object.freeze(emailTo), emailFrom, webhookUrl, webhookSecret });
}

/** `[{"name": "…", "metric": "…", "above": 200, "forSeconds": 60}, …]` */
export function parseRules(name: string, text: string, fail: Fail): AlertRule[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`${name} is not valid JSON.`);
  }
  if (!Array.isArray(value)) return fail(`${name} must be a JSON array of rules.`);
  const names = new Set<string>();
  return value.map((item: unknown, i) => {
    const at = `${name}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(`${at} must be an object.`);
    const rule = item as Record<string, unknown>;
    const extra = Object.keys(rule).filter((key) => !['name', 'metric', 'above', 'forSeconds'].includes(key));
    if (extra.length > 0) fail(`${at} has unknown fields: ${extra.join(', ')}.`);
    if (typeof rule.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(rule.name)) fail(`${at}.name must be 1–64 letters, digits, '_', '.' or '-'.`);
    if (names.has(rule.name as string)) fail(`${at}.name "${String(rule.name)}" is used twice.`);
    names.add(rule.name as string);
    if (typeof rule.metric !== 'string' || !(rule.metric in alertMetrics)) fail(`${at}.metric must be one of ${Object.keys(alertMetrics).join(', ')}.`);
    if (typeof rule.above !== 'number' || !Number.isFinite(rule.above)) fail(`${at}.above must be a number.`);
    const forSeconds = rule.forSeconds ?? 0;
    if (typeof forSeconds !== 'number' || !(forSeconds >= 0 && forSeconds <= 86_400)) fail(`${at}.forSeconds must be a number of seconds from 0 to 86400.`);
    return { name: rule.name as string, metric: rule.metric as AlertMetric, above: rule.above as number, forMs: Math.round((forSeconds as number) * 1000) };
  });
}
