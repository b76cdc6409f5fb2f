import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { buildWidget, type WidgetBundle } from '@frontdesk/widget/build';
import type { Services } from '../../domain/services.ts';
import { Id } from '../schemas.ts';

let bundle: Promise<WidgetBundle> | undefined;
/** Built once per process (esbuild, in memory: ~0.2 s). */
const widget = () => (bundle ??= buildWidget());

const WidgetQuery = Type.Object({ shop: Type.Optional(Id) });
const hidden = { hide: true };

/**
 * The web apps: the widget loader a shop embeds (/widget.js), the widget iframe (/widget/), and a
 * demo host page (/demo) that shows the widget of a shop on a page served here.
 */
export function appRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await widget();

    app.get('/widget.js', { schema: hidden }, async (_request, reply) => {
      const { loader } = await widget();
      // Shops load it from their own pages: another origin.
      return script(reply, loader).header('cross-origin-resource-policy', 'cross-origin').header('cache-control', 'public, max-age=300');
    });

    app.get('/widget/app.js', { schema: hidden }, async (_request, reply) => script(reply, (await widget()).app).header('cache-control', 'no-cache'));
    app.get('/widget/app.css', { schema: hidden }, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send((await widget()).css),
    );

    app.get<{ Querystring: Static<typeof WidgetQuery> }>('/widget/', { schema: { ...hidden, querystring: WidgetQuery } }, async (request, reply) => {
      // Only the shop's own sites may frame its widget (and pages served here, like /demo).
      const shop = request.query.shop ? await services.shops.embedding(request.query.shop) : undefined;
      const ancestors = ["'self'", ...(shop?.widgetOrigins ?? [])].join(' ');
      const host = request.headers.host ?? '';
      return reply
        .type('text/html; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .header(
          'content-security-policy',
          `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; ` +
            `connect-src 'self' ws://${host} wss://${host}; frame-ancestors ${ancestors}; base-uri 'none'; form-action 'none'`,
        )
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
            '<title>Chat</title><link rel="stylesheet" href="/widget/app.css"></head><body><div id="app"></div>' +
            '<script type="module" src="/widget/app.js"></script></body></html>',
        );
    });

    app.get<{ Querystring: Static<typeof WidgetQuery> }>('/demo', { schema: { ...hidden, querystring: WidgetQuery } }, async (request, reply) => {
      const shopId = request.query.shop ?? (await services.shops.firstId());
      return reply
        .type('text/html; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'")
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
            '<title>Frontdesk demo shop</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 20px;color:#111827}</style></head>' +
            '<body><h1>A shop’s website</h1><p>This page embeds the Frontdesk widget the way a shop would:</p>' +
            `<pre>&lt;script src="${escapeHtml(`${request.protocol}://${request.headers.host ?? ''}`)}/widget.js" data-shop="${escapeHtml(shopId ?? 'SHOP_ID')}" async&gt;&lt;/script&gt;</pre>` +
            '<p>Open the bubble at the bottom right and write; answer from the agent console or the API.</p>' +
            (shopId ? `<script src="/widget.js" data-shop="${escapeHtml(shopId)}" async></script>` : '<p><strong>No shop exists yet.</strong></p>') +
            '</body></html>',
        );
    });
  };
}

function script(reply: FastifyReply, code: string): FastifyReply {
  return reply.type('text/javascript; charset=utf-8').header('x-content-type-options', 'nosniff').send(code);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
