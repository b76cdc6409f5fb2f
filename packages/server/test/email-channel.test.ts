import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTransport } from 'nodemailer';
import { certificates } from './support/certificates.ts';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { smtpReceiver, type CapturedMail } from './support/smtp.ts';
import { engines } from './support/storage.ts';

const REPLY_DOMAIN = 'reply.shop.test';
const MINUTE = 60_000;

/** Mails to one customer's address. */
const mailsTo = (mails: readonly CapturedMail[], email: string) => mails.filter((m) => m.to.includes(email));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * E-mail (docs/channels.md#e-mail) against a real SMTP server on 127.0.0.1 for what Frontdesk sends,
 * and an SMTP client (nodemailer) for what customers send back to Frontdesk's inbound listener.
 * The server's clock is the test's: it moves past the shop's delay without waiting for it.
 */
for (const engine of engines) {
  describe(`e-mail channel on ${engine}`, () => {
    let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
    let server: TestServer;
    let shop: ShopFixture;
    let offset = 0;
    const now = () => Date.now() + offset;
    // The listener's certificate where an operator's renewal puts it (live.pem, live.key), from CA "one".
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-smtp-tls-'));
    const one = certificates(dir, 'one');
    const live = { cert: path.join(dir, 'live.pem'), key: path.join(dir, 'live.key') };
    fs.copyFileSync(one.cert, live.cert);
    fs.copyFileSync(one.key, live.key);

    /** By default as most senders' MTAs still may: in plain text. With `ca`: STARTTLS required, and the certificate verified against it. */
    async function inbound(mail: { to: string; text: string; messageId?: string; headers?: Record<string, string>; from?: string; ca?: string }) {
      const port = server.app.smtpInboundPort()!;
      const transport = createTransport(
        mail.ca ? { host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { ca: fs.readFileSync(mail.ca) } } : { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      );
      try {
        return await transport.sendMail({ from: mail.from ?? 'customer@example.test', to: mail.to, subject: 'Re: your conversation', text: mail.text, ...(mail.messageId && { messageId: mail.messageId }), ...(mail.headers && { headers: mail.headers }) });
      } finally {
        transport.close();
      }
    }

    async function customerWithEmail(label: string): Promise<CustomerFixture & { email: string }> {
      const email = `${label}-${randomUUID().slice(0, 6)}@example.test`;
      const customer = await openWidget(server, shop.shopId, { profile: { name: label, email } });
      assert.equal((await send(server, customer.token, customer.conversationId, `${label} asks`)).status, 201);
      return { ...customer, email };
    }

    /** A customer with an address, a staff reply, the shop's delay passed: their one e-mail and its reply address. */
    async function emailedCustomer(label: string, reply: string) {
      const customer = await customerWithEmail(label);
      await send(server, shop.agentToken, customer.conversationId, reply);
      await afterDelay();
      const [mail] = await eventually('the e-mail', async () => mailsTo(smtp.mails, customer.email).length === 1 && mailsTo(smtp.mails, customer.email));
      return { customer, mail: mail!, replyTo: mail!.parsed.replyTo!.value[0]!.address! };
    }

    /** Lets the shop's delay (10 minutes) pass on the server's clock, then gives the sweep (100 ms) time to run. */
    async function afterDelay(): Promise<void> {
      offset += 11 * MINUTE;
      await pause(400);
    }

    before(async () => {
      smtp = await smtpReceiver();
      server = await startServer(
        engine,
        {
          SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          SMTP_INBOUND_PORT: '0',
          SMTP_INBOUND_HOST: '127.0.0.1',
          SMTP_INBOUND_TLS_CERT_FILE: live.cert,
          SMTP_INBOUND_TLS_KEY_FILE: live.key,
          EMAIL_REPLY_DOMAIN: REPLY_DOMAIN,
          EMAIL_FROM: 'support@shop.test',
          EMAIL_SWEEP_MS: '100',
        },
        undefined,
        { now },
      );
      shop = await createShop(server, 'Mail shop');
    });
    after(async () => {
      await server.close();
      await smtp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('an offline customer gets one e-mail for a burst of three replies; what they read in the widget is not e-mailed', async () => {
      const customer = await customerWithEmail('ada');
      for (const text of ['First reply', 'Second reply', 'Third reply']) await send(server, shop.agentToken, customer.conversationId, text);
      await send(server, shop.agentToken, customer.conversationId, 'an internal note', { visibility: 'internal' });
      await pause(300);
      assert.equal(mailsTo(smtp.mails, customer.email).length, 0, 'nothing before the delay');
      await afterDelay();
      const [mail] = await eventually('the e-mail', async () => mailsTo(smtp.mails, customer.email).length === 1 && mailsTo(smtp.mails, customer.email));
      const text = mail!.parsed.text ?? '';
      assert.ok(['First reply', 'Second reply', 'Third reply'].every((t) => text.includes(t)), text);
      assert.ok(!text.includes('an internal note'));
      assert.match(mail!.parsed.subject ?? '', /Mail shop: 3 new replies/);
      assert.match(mail!.parsed.replyTo?.value[0]?.address ?? '', new RegExp(`^r\\.[0-9a-f]{32}\\.[0-9a-f]{24}@${REPLY_DOMAIN.replaceAll('.', '\\.')}$`));
      assert.match(mail!.from, /^b\.[0-9a-f]{32}\.[0-9a-f]{24}@/);
      assert.match(mail!.text, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      await afterDelay();
      assert.equal(mailsTo(smtp.mails, customer.email).length, 1, 'a burst is e-mailed once');

      const read = await send(server, shop.agentToken, customer.conversationId, 'Seen in the widget');
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/read`, { token: customer.token, body: { seq: read.body.seq } })).status, 200);
      await afterDelay();
      assert.equal(mailsTo(smtp.mails, customer.email).length, 1, 'a reply read in the widget is not e-mailed');
    });

    test('replying by e-mail puts the text (without the quoted part) in the conversation, once per Message-ID; a forged address is refused', async () => {
      const { customer, replyTo } = await emailedCustomer('bob', 'Does this help?');
      const messageId = `<${randomUUID()}@example.test>`;
      const body = 'Thanks, that works!\n\nOn Mon, Dec 7, 2026 at 10:00 AM Mail shop <support@shop.test> wrote:\n> Does this help?';
      await inbound({ to: replyTo, text: body, messageId });
      await inbound({ to: replyTo, text: body, messageId });
      const history = await eventually('the answer', async () => {
        const items = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: shop.ownerToken })).body.items as Array<{ text: string; senderKind: string }>;
        return items.some((m) => m.text === 'Thanks, that works!') && items;
      });
      assert.deepEqual(history.filter((m) => m.text === 'Thanks, that works!').map((m) => m.senderKind), ['customer']);
      assert.ok(!history.some((m) => m.text.includes('Does this help?') && m.senderKind === 'customer'));

      const forged = replyTo.replace(/\.([0-9a-f]{24})@/, (_, sig: string) => `.${sig.startsWith('0') ? '1' : '0'}${sig.slice(1)}@`);
      const before = history.length;
      for (const to of [forged, `r.${'0'.repeat(32)}.${'0'.repeat(24)}@${REPLY_DOMAIN}`, replyTo.replace(REPLY_DOMAIN, 'elsewhere.test'), 'postmaster@' + REPLY_DOMAIN]) {
        await assert.rejects(inbound({ to, text: 'forged', messageId: `<${randomUUID()}@x>` }), (error: { responseCode?: number }) => error.responseCode === 550, to);
      }
      const after = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: shop.ownerToken })).body.items;
      assert.equal(after.length, before);
    });

    test('the listener offers STARTTLS with the operator’s certificate, and takes up a renewed one without a restart', async () => {
      const { customer, replyTo } = await emailedCustomer('tia', 'Which size?');
      await inbound({ to: replyTo, text: 'Size M, please.', ca: one.ca });

      // Renewed (by another CA, so that which one is served shows): the next sweep serves it.
      const two = certificates(dir, 'two');
      fs.copyFileSync(two.key, live.key);
      fs.copyFileSync(two.cert, live.cert);
      await eventually('the renewed certificate', async () => {
        try {
          await inbound({ to: replyTo, text: 'And in blue.', ca: two.ca });
          return true;
        } catch {
          return false;
        }
      });
      await assert.rejects(inbound({ to: replyTo, text: 'never stored', ca: one.ca }), /certificate/i, 'the old certificate is no longer served');
      const texts = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: shop.ownerToken })).body.items.map((m: { text: string }) => m.text);
      assert.deepEqual(texts.filter((t: string) => ['Size M, please.', 'And in blue.', 'never stored'].includes(t)), ['Size M, please.', 'And in blue.']);
    });

    test('out-of-office answers are not stored; a bounce and an unsubscribe stop the e-mails', async () => {
      const { customer: bounced, mail, replyTo } = await emailedCustomer('cyd', 'Hello Cyd');
      await inbound({ to: replyTo, text: 'I am out of the office until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } });
      await inbound({ to: mail.from, from: 'MAILER-DAEMON@example.test', text: 'Delivery to the following recipient failed permanently.' });
      await eventually('the bounce recorded', async () => {
        const contact = await server.storage.db.selectFrom('contacts').select('email_bounced_at').where('customer_id', '=', bounced.customerId).executeTakeFirst();
        return contact?.email_bounced_at != null;
      });
      const items = (await call(server, 'GET', `/api/v1/conversations/${bounced.conversationId}/messages`, { token: shop.ownerToken })).body.items as Array<{ text: string }>;
      assert.ok(!items.some((m) => m.text.includes('out of the office')));
      await send(server, shop.agentToken, bounced.conversationId, 'Are you there?');
      await afterDelay();
      assert.equal(mailsTo(smtp.mails, bounced.email).length, 1, 'no e-mail to a bouncing address');

      const { customer: leaving, mail: first } = await emailedCustomer('dee', 'Hello Dee');
      const unsubscribe = /^List-Unsubscribe:\s*<([^>]+)>/m.exec(first.text)![1]!;
      const asked = await fetch(unsubscribe.replace(/^https?:\/\/[^/]+/, server.url));
      assert.equal(asked.status, 200);
      assert.match(await asked.text(), /Mail shop/);
      const done = await fetch(unsubscribe.replace(/^https?:\/\/[^/]+/, server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(done.status, 200);
      const tampered = await fetch(`${server.url}/email/unsubscribe?token=${encodeURIComponent(`${shop.shopId}.${leaving.customerId}.${'a'.repeat(32)}`)}`, { method: 'POST' });
      assert.equal(tampered.status, 404);
      await send(server, shop.agentToken, leaving.conversationId, 'One more thing');
      await afterDelay();
      assert.equal(mailsTo(smtp.mails, leaving.email).length, 1, 'no e-mail after unsubscribing');
    });

    test('e-mails speak the language of the customer’s widget, with times in the shop’s zone; the next session’s language counts', async () => {
      const corner = await createShop(server, '街角小店');
      const hours = { timezone: 'Asia/Shanghai', days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])) };
      const patched = await call(server, 'PATCH', '/api/v1/shop', { token: corner.ownerToken, body: { settings: { businessHours: hours } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const email = `lin-${randomUUID().slice(0, 6)}@example.test`;
      const customer = await openWidget(server, corner.shopId, { profile: { name: '林', email }, locale: 'zh-CN' });
      assert.equal((await send(server, customer.token, customer.conversationId, '你好')).status, 201);
      await send(server, corner.agentToken, customer.conversationId, '您好，请问有什么可以帮您？');
      const second = await send(server, corner.agentToken, customer.conversationId, '订单已发货。');
      await afterDelay();
      const [mail] = await eventually('the e-mail', async () => mailsTo(smtp.mails, email).length === 1 && mailsTo(smtp.mails, email));
      assert.equal(mail!.parsed.subject, '街角小店：有 2 条新回复');
      const text = mail!.parsed.text ?? '';
      assert.match(text, /^您离开期间，街角小店 回复了您。/);
      assert.match(text, /不再接收这些邮件：http/);
      // 08:00 ahead of UTC, and named so.
      const at = new Date(Date.parse(second.body.createdAt) + 8 * 3_600_000);
      const shanghai = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} GMT+8`;
      assert.ok(text.includes(`(${at.getUTCFullYear()}年${at.getUTCMonth() + 1}月${at.getUTCDate()}日 ${shanghai}):\n订单已发货。`), text);
      assert.match(String(mail!.parsed.html), /<html lang="zh-CN">.*打开对话/s);
      const contact = () => call(server, 'GET', `/api/v1/contacts/${customer.customerId}`, { token: corner.agentToken });
      assert.equal((await contact()).body.contact.locale, 'zh-CN', 'staff see the language too');

      // Back with an English widget (the visitor's token resumes them): the next e-mail is English.
      await openWidget(server, corner.shopId, { visitorToken: customer.visitorToken, locale: 'en' });
      assert.equal((await contact()).body.contact.locale, 'en');
      const french = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: corner.shopId, visitorToken: customer.visitorToken, locale: 'fr' } });
      assert.deepEqual([french.status, french.body.error.details], [400, ['body/locale must be one of "en", "zh-CN"']], 'a language Frontdesk does not write');
      await send(server, corner.agentToken, customer.conversationId, 'Your parcel is on its way.');
      await afterDelay();
      const [, next] = await eventually('the second e-mail', async () => mailsTo(smtp.mails, email).length === 2 && mailsTo(smtp.mails, email));
      assert.equal(next!.parsed.subject, '街角小店: a new reply');
      assert.match(next!.parsed.text ?? '', /^街角小店 answered you while you were away\./);
      assert.match(next!.parsed.text ?? '', / GMT\+8\):\nYour parcel is on its way\./);
    });

    test('a shop that asks for it e-mails the transcript when an inquiry is closed', async () => {
      const on = await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { email: { enabled: true, fromName: 'Mail shop team', delayMinutes: 10, transcriptOnClose: true, askBeforeChat: false } } } });
      assert.equal(on.status, 200, JSON.stringify(on.body));
      try {
        const customer = await customerWithEmail('fay');
        await send(server, shop.agentToken, customer.conversationId, 'Your parcel left today.');
        const closed = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/close`, { token: shop.ownerToken });
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
        const [mail] = await eventually('the transcript', async () => mailsTo(smtp.mails, customer.email).length === 1 && mailsTo(smtp.mails, customer.email));
        assert.equal(mail!.parsed.subject, 'Your conversation with Mail shop');
        assert.equal(mail!.parsed.from?.value[0]?.name, 'Mail shop team');
        assert.ok(['fay asks', 'Your parcel left today.'].every((text) => mail!.parsed.text?.includes(text)), mail!.parsed.text);
      } finally {
        await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { email: { enabled: true, fromName: null, delayMinutes: 10, transcriptOnClose: false, askBeforeChat: false } } } });
      }
    });

    test('the link back signs the customer in to their conversation; a changed link does not; the offline form takes a visitor’s address', async () => {
      const { customer, mail } = await emailedCustomer('eve', 'Come back');
      const link = /#signin=([A-Za-z0-9_.-]+)/.exec(mail.parsed.text ?? '')![1]!;
      const back = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, signInLink: link } });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.deepEqual([back.body.customer.id, back.body.conversation.id], [customer.customerId, customer.conversationId]);
      const changed = `${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`;
      assert.equal((await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, signInLink: changed } })).body.error.code, 'LINK_INVALID');
      const other = await createShop(server, 'Other');
      assert.equal((await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: other.shopId, signInLink: link } })).body.error.code, 'LINK_INVALID');

      const visitor = await openWidget(server, shop.shopId);
      const given = await call(server, 'PATCH', '/api/v1/widget/profile', { token: visitor.token, body: { email: 'later@example.test', name: 'Later' } });
      assert.deepEqual([given.status, given.body.email, given.body.name], [200, 'later@example.test', 'Later']);
      assert.equal((await call(server, 'PATCH', '/api/v1/widget/profile', { token: shop.agentToken, body: { email: 'x@example.test' } })).body.error.code, 'FORBIDDEN');
    });
  });
}
