import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { EmailChannel } from '../../channels/email/email.ts';
import { escapeHtml } from './apps.ts';

const Query = Type.Object({ token: Type.String({ minLength: 10, maxLength: 300 }) }, { additionalProperties: false });
const hidden = { hide: true };

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5">${body}</body></html>`,
    );
}

/**
 * The unsubscribe link of customer e-mails (docs/channels.md#e-mail). GET only asks (mail scanners
 * open links); POST unsubscribes, as a button or as RFC 8058's one-click `List-Unsubscribe-Post`.
 */
export function emailRoutes(email: EmailChannel): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, body));

    app.get<{ Querystring: Static<typeof Query> }>('/email/unsubscribe', { schema: { ...hidden, querystring: Query } }, async (request, reply) => {
      const found = await email.checkUnsubscribe(request.query.token);
      if (!found) return page(reply, 404, 'Link not valid', '<p>This link is not valid.</p>');
      return page(
        reply,
        200,
        'Unsubscribe',
        `<p>Stop e-mails from <strong>${escapeHtml(found.shopName)}</strong> about your conversations? / 不再接收 <strong>${escapeHtml(found.shopName)}</strong> 的邮件？</p>` +
          `<form method="post" action="?token=${encodeURIComponent(request.query.token)}"><button type="submit">Unsubscribe / 退订</button></form>`,
      );
    });

    app.post<{ Querystring: Static<typeof Query> }>('/email/unsubscribe', { schema: { ...hidden, querystring: Query } }, async (request, reply) => {
      const done = await email.unsubscribe(request.query.token);
      if (!done) return page(reply, 404, 'Link not valid', '<p>This link is not valid.</p>');
      return page(reply, 200, 'Unsubscribed', `<p>You will get no more e-mails from <strong>${escapeHtml(done.shopName)}</strong>. / 您将不再收到该商店的邮件。</p>`);
    });
  };
}
