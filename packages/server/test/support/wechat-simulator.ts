import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { aesKeyOf, encryptMessage, wechatSignature } from '../../src/channels/wechat/crypto.ts';

/**
 * A stand-in for WeChat's servers that follows the published behaviour (developers.weixin.qq.com):
 * - `POST /cgi-bin/stable_token` issues access tokens valid for `tokenTtlSeconds` (7200 by
 *   default); a token refreshed or expired answers 40001 / 42001 when used;
 * - `POST /cgi-bin/message/custom/send` delivers a customer-service message if the fan wrote in
 *   the last 48 h (else 45015) and fewer than 5 were sent since (else 45047: the rule for new
 *   accounts since 2023), unless they unfollowed the account (43004, "require subscribe");
 *   following, scanning a code or clicking a menu counts as writing (the events that open the
 *   window), unfollowing ends it until they follow again;
 * - `POST /cgi-bin/media/upload` (multipart, field `media`) and `GET /cgi-bin/media/get`;
 * - a fan writes to the account: the callback is signed (and in safe mode encrypted) as WeChat
 *   does, and retried with the same MsgId up to three times when the answer is not a 200 within 5 s.
 */
export interface SimAccount {
  readonly appId: string;
  readonly appSecret: string;
  /** The callback token (Token in WeChat's settings). */
  readonly token: string;
  readonly encodingAesKey: string;
  readonly originalId: string;
  callbackUrl: string;
  mode: 'plain' | 'safe';
}

export interface Delivered {
  readonly appId: string;
  readonly toUser: string;
  readonly msgtype: string;
  readonly text?: { content: string };
  readonly image?: { media_id: string };
}

const WINDOW_MS = 48 * 3600_000;
const WINDOW_QUOTA = 5;

export class WechatSimulator {
  readonly accounts = new Map<string, SimAccount>();
  readonly inbox: Delivered[] = [];
  /** Token requests per appId (the cluster test counts refreshes). */
  readonly tokenRequests = new Map<string, number>();
  readonly media = new Map<string, { bytes: Buffer; mime: string }>();
  tokenTtlSeconds = 7200;
  /** Milliseconds added to the simulator's clock (to leave the 48 h window). */
  clockOffsetMs = 0;
  url = '';
  readonly #tokens = new Map<string, { appId: string; expiresAt: number; revoked: boolean }>();
  readonly #windows = new Map<string, { lastWroteAt: number; sent: number }>();
  /** Fans (`appId:openid`) who unfollowed the account. */
  readonly #unfollowed = new Set<string>();
  #server: http.Server | null = null;
  #msgId = 7_000_000_000_000_000_000n;

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async start(): Promise<void> {
    const server = http.createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  addAccount(mode: 'plain' | 'safe' = 'safe', callbackUrl = ''): SimAccount {
    const account: SimAccount = {
      appId: `wx${randomBytes(8).toString('hex')}`,
      appSecret: randomBytes(16).toString('hex'),
      token: randomBytes(12).toString('hex'),
      encodingAesKey: randomBytes(32).toString('base64').slice(0, 43),
      originalId: `gh_${randomBytes(6).toString('hex')}`,
      callbackUrl,
      mode,
    };
    this.accounts.set(account.appId, account);
    return account;
  }

  /** Every issued token stops working (WeChat's answer to a refresh elsewhere, or a reset). */
  revokeTokens(): void {
    for (const token of this.#tokens.values()) token.revoked = true;
  }

  /**
   * A fan writes to the account. Returns the callback's answers, one per attempt: WeChat retries
   * an unanswered or failed delivery with the same MsgId, three attempts in all.
   */
  async fanWrites(
    account: SimAccount,
    openid: string,
    message: { type: 'text'; content: string } | { type: 'image'; bytes: Buffer; mime: string } | { type: 'event'; event: string },
    options: { attempts?: number; signatureOverride?: string } = {},
  ): Promise<Array<{ status: number; body: string }>> {
    const createTime = Math.floor(this.now() / 1000);
    const fields: Array<[string, string]> = [['ToUserName', account.originalId], ['FromUserName', openid], ['CreateTime', String(createTime)]];
    const fan = `${account.appId}:${openid}`;
    if (message.type === 'event') {
      fields.push(['MsgType', 'event'], ['Event', message.event]);
      if (message.event === 'unsubscribe') this.#unfollowed.add(fan);
      if (['subscribe', 'SCAN', 'CLICK', 'scancode_push', 'scancode_waitmsg'].includes(message.event)) {
        this.#unfollowed.delete(fan);
        this.#windows.set(fan, { lastWroteAt: this.now(), sent: 0 });
      }
    } else {
      const msgId = String(this.#msgId++);
      if (message.type === 'text') fields.push(['MsgType', 'text'], ['Content', message.content]);
      else {
        const mediaId = `media-${randomUUID()}`;
        this.media.set(mediaId, { bytes: message.bytes, mime: message.mime });
        fields.push(['MsgType', 'image'], ['PicUrl', `${this.url}/pic/${mediaId}`], ['MediaId', mediaId]);
      }
      fields.push(['MsgId', msgId]);
      this.#windows.set(fan, { lastWroteAt: this.now(), sent: 0 });
    }
    const plain = xml(fields);
    const answers: Array<{ status: number; body: string }> = [];
    for (let attempt = 0; attempt < (options.attempts ?? 1); attempt++) answers.push(await this.#deliver(account, plain, options.signatureOverride));
    return answers;
  }

  async #deliver(account: SimAccount, plain: string, signatureOverride?: string): Promise<{ status: number; body: string }> {
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const query = new URLSearchParams({ timestamp, nonce, openid: 'o', signature: signatureOverride ?? wechatSignature(account.token, timestamp, nonce) });
    let body = plain;
    if (account.mode === 'safe') {
      const encrypted = encryptMessage(aesKeyOf(account.encodingAesKey), account.appId, plain);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', signatureOverride ?? wechatSignature(account.token, timestamp, nonce, encrypted));
      body = xml([['ToUserName', account.originalId], ['Encrypt', encrypted]]);
    }
    try {
      const response = await fetch(`${account.callbackUrl}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, signal: AbortSignal.timeout(5000) });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 0, body: '' };
    }
  }

  /** WeChat's own GET to check a callback URL: answers with echostr when the signature is right. */
  async verifyCallback(account: SimAccount, tamper = false): Promise<{ status: number; body: string }> {
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const echostr = randomBytes(8).toString('hex');
    const signature = wechatSignature(tamper ? 'wrong' : account.token, timestamp, nonce);
    const response = await fetch(`${account.callbackUrl}?${new URLSearchParams({ signature, timestamp, nonce, echostr })}`);
    return { status: response.status, body: await response.text() };
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sim');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const json = (status: number, value: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const error = (errcode: number, errmsg: string): void => json(200, { errcode, errmsg });

    if (url.pathname === '/cgi-bin/stable_token' && request.method === 'POST') {
      const body = JSON.parse(raw.toString('utf8') || '{}');
      const account = this.accounts.get(body.appid);
      if (!account || account.appSecret !== body.secret) return error(40125, 'invalid appsecret');
      this.tokenRequests.set(account.appId, (this.tokenRequests.get(account.appId) ?? 0) + 1);
      const token = `tok-${randomBytes(24).toString('hex')}`;
      this.#tokens.set(token, { appId: account.appId, expiresAt: this.now() + this.tokenTtlSeconds * 1000, revoked: false });
      return json(200, { access_token: token, expires_in: this.tokenTtlSeconds });
    }

    const tokenName = url.searchParams.get('access_token') ?? '';
    const token = this.#tokens.get(tokenName);
    if (url.pathname.startsWith('/cgi-bin/')) {
      if (!token || token.revoked) return error(40001, 'invalid credential, access_token is invalid or not latest');
      if (token.expiresAt <= this.now()) return error(42001, 'access_token expired');
    }
    if (url.pathname === '/cgi-bin/message/custom/send' && request.method === 'POST') {
      const body = JSON.parse(raw.toString('utf8'));
      if (this.#unfollowed.has(`${token!.appId}:${body.touser}`)) return error(43004, 'require subscribe');
      const window = this.#windows.get(`${token!.appId}:${body.touser}`);
      if (!window || this.now() - window.lastWroteAt > WINDOW_MS) return error(45015, 'response out of time limit or subscription is canceled');
      if (window.sent >= WINDOW_QUOTA) return error(45047, 'out of response count limit');
      if (body.msgtype === 'image' && !this.media.has(body.image?.media_id)) return error(40007, 'invalid media_id');
      window.sent++;
      this.inbox.push({ appId: token!.appId, toUser: body.touser, msgtype: body.msgtype, text: body.text, image: body.image });
      return error(0, 'ok');
    }
    if (url.pathname === '/cgi-bin/media/upload' && request.method === 'POST') {
      const form = await new Request('http://sim/upload', { method: 'POST', headers: { 'content-type': String(request.headers['content-type']) }, body: raw }).formData();
      const file = form.get('media');
      if (!(file instanceof Blob)) return error(41005, 'media data missing');
      const mediaId = `media-${randomUUID()}`;
      this.media.set(mediaId, { bytes: Buffer.from(await file.arrayBuffer()), mime: file.type });
      return json(200, { type: url.searchParams.get('type'), media_id: mediaId, created_at: Math.floor(this.now() / 1000) });
    }
    if (url.pathname === '/cgi-bin/media/get' && request.method === 'GET') {
      const media = this.media.get(url.searchParams.get('media_id') ?? '');
      if (!media) return error(40007, 'invalid media_id');
      return void response.writeHead(200, { 'content-type': media.mime, 'content-disposition': 'attachment; filename="media"' }).end(media.bytes);
    }
    json(404, { errcode: 404, errmsg: 'not found' });
  }
}

function xml(fields: ReadonlyArray<readonly [string, string]>): string {
  const cdata = (value: string) => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  return `<xml>${fields.map(([name, value]) => `<${name}>${/^\d+$/.test(value) ? value : cdata(value)}</${name}>`).join('')}</xml>`;
}
