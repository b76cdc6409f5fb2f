import type { Attachment, AttachmentLink, ErrorBody, Upload } from '@frontdesk/protocol';
import { FrontdeskError } from './errors.ts';

export type FileData = Blob | Uint8Array | ArrayBuffer;

export interface UploadOptions {
  /** The file name shown to the other side (the server cleans it). */
  readonly name: string;
  /** Called after each chunk (and once at the end of a one-request upload). */
  readonly onProgress?: (sent: number, total: number) => void;
  /** Files larger than this go through a resumable upload; default 4 MiB. */
  readonly resumableAbove?: number;
  readonly signal?: AbortSignal;
}

export type Variant = 'original' | 'thumbnail';

const RETRIES = 5;

/**
 * The HTTP half of the SDK: uploads (whole, or resumable in chunks that survive a dropped
 * connection) and signed links to attachments. The token goes in the Authorization header only.
 */
export class FileClient {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: { apiUrl: string; token: string; fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> }) {
    this.#base = options.apiUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Uploads a file into a conversation; send its id with `send({ attachmentId })`. */
  async upload(conversationId: string, data: FileData, options: UploadOptions): Promise<Attachment> {
    const blob = data instanceof Blob ? data : new Blob([data as ArrayBuffer]);
    if (blob.size > (options.resumableAbove ?? 4 * 1024 * 1024)) return this.#resumable(conversationId, blob, options);
    const form = new FormData();
    form.append('file', blob, options.name);
    const attachment = await this.#json<Attachment>('POST', `/conversations/${enc(conversationId)}/attachments`, { body: form, signal: options.signal });
    options.onProgress?.(blob.size, blob.size);
    return attachment;
  }

  /** A link that needs no Authorization header (for <img src>), valid for a few minutes. */
  async link(attachmentId: string, variant: Variant = 'original'): Promise<AttachmentLink> {
    const link = await this.#json<AttachmentLink>('GET', `/attachments/${enc(attachmentId)}/link?variant=${variant}`);
    return { url: new URL(link.url, this.#base).toString(), expiresAt: link.expiresAt };
  }

  /** The bytes of an attachment or its thumbnail. */
  async download(attachmentId: string, variant: Variant = 'original'): Promise<Uint8Array> {
    const response = await this.#call('GET', `/attachments/${enc(attachmentId)}/content?variant=${variant}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async #resumable(conversationId: string, blob: Blob, options: UploadOptions): Promise<Attachment> {
    let upload = await this.#json<Upload>('POST', `/conversations/${enc(conversationId)}/uploads`, {
      body: JSON.stringify({ name: options.name, size: blob.size }),
      json: true,
      signal: options.signal,
    });
    let failures = 0;
    while (upload.offset < upload.size) {
      const chunk = blob.slice(upload.offset, Math.min(upload.offset + upload.maxChunkBytes, upload.size));
      try {
        upload = await this.#json<Upload>('PUT', `/uploads/${enc(upload.id)}?offset=${upload.offset}`, {
          body: chunk,
          contentType: 'application/octet-stream',
          signal: options.signal,
        });
        failures = 0;
        options.onProgress?.(upload.offset, upload.size);
      } catch (error) {
        // A dropped connection or a busy server: ask where the upload stands and go on from there.
        const retry = !(error instanceof FrontdeskError) || error.retryable || error.code === 'UPLOAD_OFFSET_MISMATCH' || error.code === 'UPLOAD_BUSY';
        if (!retry || options.signal?.aborted || ++failures > RETRIES) throw error;
        await this.#sleep(Math.min(250 * 2 ** failures, 5_000));
        upload = await this.#json<Upload>('GET', `/uploads/${enc(upload.id)}`);
      }
    }
    return this.#json<Attachment>('POST', `/uploads/${enc(upload.id)}/complete`, { signal: options.signal });
  }

  async #json<T>(method: string, path: string, init: CallInit = {}): Promise<T> {
    return (await (await this.#call(method, path, init)).json()) as T;
  }

  async #call(method: string, path: string, init: CallInit = {}): Promise<Response> {
    let response: Response;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
      if (init.json) headers['content-type'] = 'application/json';
      if (init.contentType) headers['content-type'] = init.contentType;
      response = await this.#fetch(this.#base + path, {
        method,
        headers,
        ...(init.body !== undefined && { body: init.body }),
        ...(init.signal !== undefined && { signal: init.signal }),
      });
    } catch (error) {
      throw new FrontdeskError('DISCONNECTED', error instanceof Error ? error.message : String(error));
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => null)) as ErrorBody | null;
    throw body?.error ? new FrontdeskError(body.error.code, body.error.message) : new FrontdeskError('INTERNAL', `HTTP ${response.status}`);
  }
}

interface CallInit {
  readonly body?: Blob | FormData | string;
  readonly json?: boolean;
  readonly contentType?: string;
  readonly signal?: AbortSignal | undefined;
}

const enc = encodeURIComponent;

/** `wss://host/ws` → `https://host/api/v1`: the HTTP API next to the gateway. */
export function apiUrlFor(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/ws\/?$/, '').replace(/\/+$/, '') + '/api/v1';
  url.search = '';
  return url.toString();
}
