/** What the console's Chromium tests share: the shop's staff, signing in, a switchable hidden tab, the screen's width. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../../../../packages/server/test/support/server.ts';

export const PASSWORD = 'correct horse battery staple';

/** artifacts/screenshots/, made if missing. */
export function screenshotDir(): string {
  const dir = new URL('../../../../artifacts/screenshots/', import.meta.url).pathname;
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The shop's website on another origin, with the embed snippet; `script` (trusted test code) runs
 * on every page after it. Any path serves the same page.
 */
export async function shopSite(server: TestServer, shopId: string, script = '') {
  const site = http.createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><html><head><title>Corner shop</title></head><body><h1>Corner shop</h1><script src="${server.url}/widget.js" data-shop="${shopId}" data-locale="en" async></script>` +
          (script && `<script>${script}</script>`) +
          `</body></html>`,
      );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const { port } = site.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, close: () => new Promise<void>((resolve) => site.close(() => resolve())) };
}

export interface Person {
  id: string;
  email: string;
}

/** Ann and Bea (agents) and Olga (owner) in the shop, with e-mails at `domain`. */
export async function addStaff(server: TestServer, shopId: string, domain: string): Promise<{ ann: Person; bea: Person; olga: Person }> {
  const people = { ann: { id: '', email: '' }, bea: { id: '', email: '' }, olga: { id: '', email: '' } };
  for (const [key, role] of [['ann', 'agent'], ['bea', 'agent'], ['olga', 'owner']] as const) {
    const email = `${key}@${domain}`;
    const { staff } = await server.app.services.staff.createInShop(shopId, { email, name: key[0]!.toUpperCase() + key.slice(1), role, password: PASSWORD });
    Object.assign(people[key], { id: staff.id, email });
  }
  return people;
}

/** Signs in at /console/ (on `page`, or a new page of the context) and waits for the inbox. */
export async function signIn(server: TestServer, context: BrowserContext, email: string, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: /Queue/ }).waitFor();
  return page;
}

/** Every frame of a context gets a switchable `document.hidden` (window.hide). */
export async function controllableVisibility(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = globalThis as unknown as { hide: boolean; document: object };
    w.hide = false;
    Object.defineProperty(w.document, 'hidden', { get: () => w.hide, configurable: true });
  });
}

export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    const w = globalThis as unknown as { hide: boolean; document: EventTarget };
    w.hide = value;
    w.document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** How many pixels the page is wider than the window (0: nothing overflows). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/** An owner or admin makes a label on Administration → Labels. */
export async function createLabel(page: Page, name: string, color: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Administration', exact: true }).click();
  await page.getByRole('tab', { name: 'Labels' }).click();
  await page.getByLabel('Label name').fill(name);
  await page.getByLabel('Colour', { exact: true }).fill(color);
  await page.getByRole('button', { name: 'Create label' }).click();
  await page.getByLabel(`Name of “${name}”`).waitFor();
}
