/**
 * The slice of WeChat's official-account API the adapter calls (developers.weixin.qq.com):
 * stable access tokens, customer-service messages, temporary media. Every call is bounded in time;
 * the access token travels in the query string because WeChat's API wants it there, so URLs are
 * never logged and errors carry WeChat's code and message only.
 */
export interface WechatApi {
  token(appId: string, secret: string): Promise<{ token: string; expiresInSeconds: number }>;
  sendText(accessToken: string, openid: string, content: string): Promise<void>;
  sendImage(accessToken: string, openid: string, mediaId: string): Promise<void>;
  uploadImage(accessToken: string, bytes: Uint8Array, name: string, mime: string): Promise<string>;
  downloadMedia(accessToken: string, mediaId: string, maxBytes: number): Promise<{ bytes: Buffer; mime: string }>;
}

/** An answer of WeChat with a non-zero errcode. */
export class WechatApiError extends Error {
  readonly errcode: number;
  constructor(errcode: number, errmsg: string) {
    super(`WeChat error ${errcode}: ${errmsg}`);
    this.errcode = errcode;
  }

  /** The access token is stale (refreshed elsewhere, expired, or revoked): get a new one and try again. */
  get staleToken(): boolean {
    return this.errcode === 40001 || this.errcode === 40014 || this.errcode === 42001;
  }
}

const TIMEOUT_MS = 10_000;

export function wechatApi(base: string): WechatApi {
  async function call(path: string, init: RequestInit & { accessToken?: string }): Promise<Record<string, unknown>> {
    const url = new URL(path, base);
    if (init.accessToken !== undefined) url.searchParams.set('access_token', init.accessToken);
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`WeChat answered HTTP ${response.status}`);
    const body = (await response.json()) as Record<string, unknown>;
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0) throw new WechatApiError(errcode, String(body.errmsg ?? ''));
    return body;
  }
  const postJson = (path: string, accessToken: string | undefined, body: unknown) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(accessToken !== undefined && { accessToken }) });

  return {
    async token(appId, secret) {
      // stable_token keeps the secret out of the URL (cgi-bin/token takes it in the query string).
      const body = await postJson('/cgi-bin/stable_token', undefined, { grant_type: 'client_credential', appid: appId, secret });
      const token = body.access_token;
      const expires = Number(body.expires_in);
      if (typeof token !== 'string' || token === '' || !Number.isFinite(expires)) throw new Error('WeChat gave no access token.');
      return { token, expiresInSeconds: expires };
    },
    async sendText(accessToken, openid, content) {
      await postJson('/cgi-bin/message/custom/send', accessToken, { touser: openid, msgtype: 'text', text: { content } });
    },
    async sendImage(accessToken, openid, mediaId) {
      await postJson('/cgi-bin/message/custom/send', accessToken, { touser: openid, msgtype: 'image', image: { media_id: mediaId } });
    },
    async uploadImage(accessToken, bytes, name, mime) {
      const form = new FormData();
      form.set('media', new Blob([bytes], { type: mime }), name);
      const body = await call('/cgi-bin/media/upload?type=image', { method: 'POST', body: form, accessToken });
      if (typeof body.media_id !== 'string') throw new Error('WeChat gave no media_id.');
      return body.media_id;
    },
    async downloadMedia(accessToken, mediaId, maxBytes) {
      const url = new URL('/cgi-bin/media/get', base);
      url.searchParams.set('access_token', accessToken);
      url.searchParams.set('media_id', mediaId);
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
      if (!response.ok) throw new Error(`WeChat answered HTTP ${response.status}`);
      const mime = response.headers.get('content-type') ?? 'application/octet-stream';
      // Errors come back as JSON with a 200.
      if (mime.startsWith('application/json') || mime.startsWith('text/plain')) {
        const body = (await response.json()) as { errcode?: number; errmsg?: string };
        throw new WechatApiError(Number(body.errcode ?? -1), String(body.errmsg ?? 'media download failed'));
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > maxBytes) throw new Error(`The media is larger than ${maxBytes} bytes.`);
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        if (size > maxBytes) throw new Error(`The media is larger than ${maxBytes} bytes.`);
        chunks.push(chunk);
      }
      return { bytes: Buffer.concat(chunks), mime: mime.split(';')[0]!.trim() };
    },
  };
}
