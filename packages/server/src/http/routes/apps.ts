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

    // One icon for the console, the widget's page and the demo; /favicon.ico is what browsers ask
    // for when a page names none.
    for (const path of ['/favicon.svg', '/favicon.ico']) app.get(path, { schema: hidden }, async (_request, reply) => favicon(reply));

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
        .header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'")
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
            `<title>Frontdesk demo shop</title>${FAVICON_LINK}<style>${DEMO_CSS}</style></head>` +
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
 * frames from here (the widget's live preview in administration), and framing by `frameAncestors` alone.
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
        `connect-src 'self'${sockets}; frame-src 'self'; frame-ancestors ${page.frameAncestors}; base-uri 'none'; form-action 'none'`,
    )
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
        `<title>${page.title}</title>${FAVICON_LINK}<link rel="stylesheet" href="${page.base}app.css"></head><body><div id="app"></div>` +
        `<script type="module" src="${page.base}app.js"></script></body></html>`,
    );
}

// The demo reads on a 360 px phone (the snippet wraps instead of widening the page) and in dark mode.
const DEMO_CSS =
  ':root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 20px;color:#111827;background:#fff}' +
  'pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f4f6;padding:10px 12px;border-radius:8px;font-size:14px}a{color:#1d4ed8}' +
  '@media (max-width:480px){body{margin:20px auto;padding:0 16px}h1{font-size:24px}}' +
  '@media (prefers-color-scheme:dark){body{color:#e5e7eb;background:#0b0f17}pre{background:#161b26}a{color:#93c5fd}}';

const FAVICON_LINK = '<link rel="icon" type="image/svg+xml" href="/favicon.svg">';
// A speech bubble in the console's accent colour.
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2563eb"/>' +
  '<path d="M8 8h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z" fill="#fff"/></svg>';

function favicon(reply: FastifyReply): FastifyReply {
  // An SVG is a document: no script may run in it even when opened on its own.
  return reply
    .type('image/svg+xml')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
    .header('cache-control', 'public, max-age=86400')
    .send(FAVICON_SVG);
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
