import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { buildConsole, type ConsoleBundle } from '@frontdesk/console/build';
import { buildWidget, type WidgetBundle } from '@frontdesk/widget/build';
import type { Services } from '../../domain/services.ts';
import { Id } from '@frontdesk/protocol/schemas';

let bundle: Promise<WidgetBundle> | undefined;
/** Built once per process (esbuild, in memory: ~0.2 s). */
const widget = () => (bundle ??= buildWidget());
let consoleBundle: Promise<ConsoleBundle> | undefined;
const agentConsole = () => (consoleBundle ??= buildConsole());

const WidgetQuery = Type.Object({ shop: Type.Optional(Id) });
const hidden = { hide: true };

/**
 * The web apps: the widget loader a shop embeds (/widget.js), the widget iframe (/widget/), a demo
 * host page (/demo) that shows the widget of a shop on a page served here, and the agent console
 * (/console/).
 */
export function appRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await Promise.all([widget(), agentConsole()]);

    app.get('/widget.js', { schema: hidden }, async (_request, reply) => {
      const { loader } = await widget();
      // Shops load it from their own pages: another origin.
      return script(reply, loader).header('cross-origin-resource-policy', 'cross-origin').header('cache-control', 'public, max-age=300');
    });

    app.get('/widget/app.js', { schema: hidden }, async (_request, reply) => script(reply, (await widget()).app).header('cache-control', 'no-cache'));
    app.get('/widget/app.css', { schema: hidden }, async (_request, reply) => stylesheet(reply, (await widget()).css));

    app.get<{ Querystring: Static<typeof WidgetQuery> }>('/widget/', { schema: { ...hidden, querystring: WidgetQuery } }, async (request, reply) => {
      // Only the shop's own sites may frame its widget (and pages served here, like /demo).
      const shop = request.query.shop ? await services.shops.embedding(request.query.shop) : undefined;
      return appShell(reply, { title: 'Chat', base: '/widget/', host: request.headers.host ?? '', frameAncestors: ["'self'", ...(shop?.widgetOrigins ?? [])].join(' ') });
    });

    // Someone who opens the server's address finds the console.
    app.get('/', { schema: hidden }, async (_request, reply) => reply.redirect('/console/'));
    app.get('/console', { schema: hidden }, async (_request, reply) => reply.redirect('/console/'));
    app.get('/console/app.js', { schema: hidden }, async (_request, reply) => script(reply, (await agentConsole()).app).header('cache-control', 'no-cache'));
    app.get('/console/app.css', { schema: hidden }, async (_request, reply) => stylesheet(reply, (await agentConsole()).css));
    const consoleShell = (request: FastifyRequest, reply: FastifyReply) =>
      appShell(reply, { title: 'Frontdesk', base: '/console/', host: request.headers.host ?? '', frameAncestors: "'none'" });
    app.get('/console/', { schema: hidden }, consoleShell);
    // Every page of the console has an address (/console/inbox/<id>, /console/stats…; apps/console/src/route.ts):
    // a reload or a shared link gets the shell, which shows that page, or its "not found" state. A
    // file name (a dot in the last segment) that is not one of the console's files stays a 404.
    app.get('/console/*', { schema: hidden }, async (request, reply) => {
      const last = request.url.split('?')[0]!.split('/').at(-1) ?? '';
      if (last.includes('.')) return reply.callNotFound();
      return consoleShell(request, reply);
    });

    app.get<{ Querystring: Static<typeof WidgetQuery> }>('/demo', { schema: { ...hidden, querystring: WidgetQuery } }, async (request, reply) => {
      const shopId = request.query.shop ?? (await services.shops.firstId());
      return reply
        .type('text/html; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'")
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
            '<title>Frontdesk demo shop</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 20px;color:#111827}</style></head>' +
            '<body><h1>A shop’s website</h1><p>This page embeds the Frontdesk widget the way a shop would:</p>' +
            `<pre>&lt;script src="${escapeHtml(`${request.protocol}://${request.headers.host ?? ''}`)}/widget.js" data-shop="${escapeHtml(shopId ?? 'SHOP_ID')}" async&gt;&lt;/script&gt;</pre>` +
            '<p>Open the bubble at the bottom right and write; answer from the <a href="/console/" target="_blank">agent console</a> or the API.</p>' +
            (shopId ? `<script src="/widget.js" data-shop="${escapeHtml(shopId)}" async></script>` : '<p><strong>No shop exists yet.</strong></p>') +
            '</body></html>',
        );
    });
  };
}

/**
 * The HTML page of a single-page app (`base`: where its app.js and app.css are). Its CSP allows our
 * script only, inline styles (computed colours), images from here, the API and the gateway here,
 * and framing by `frameAncestors` alone.
 */
function appShell(reply: FastifyReply, page: { title: string; base: string; host: string; frameAncestors: string }): FastifyReply {
  // The Host header goes into a header: only a plain host[:port] may (anything else gets 'self' alone).
  const host = HOST.test(page.host) ? page.host : null;
  const sockets = host === null ? '' : ` ws://${host} wss://${host}`;
  return reply
    .type('text/html; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; ` +
        `connect-src 'self'${sockets}; frame-ancestors ${page.frameAncestors}; base-uri 'none'; form-action 'none'`,
    )
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
        `<title>${page.title}</title><link rel="stylesheet" href="${page.base}app.css"></head><body><div id="app"></div>` +
        `<script type="module" src="${page.base}app.js"></script></body></html>`,
    );
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function stylesheet(reply: FastifyReply, css: string): FastifyReply {
  return reply.type('text/css; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(css);
}

function script(reply: FastifyReply, code: string): FastifyReply {
  return reply.type('text/javascript; charset=utf-8').header('x-content-type-options', 'nosniff').send(code);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
