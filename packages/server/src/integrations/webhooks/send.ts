import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError } from '../../domain/errors.ts';
import { parseEndpointUrl, resolveEndpoint, type AddressPolicy, type ResolvedAddress } from './address-policy.ts';

/** What one attempt came to; `ok` only for a 2xx. */
export interface Attempt {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/** Enough of a receiver's error page to tell what went wrong in the delivery log. */
const SNIPPET_BYTES = 200;

/** Hands the HTTP client the address we checked, whatever it asks: it never resolves the name itself. */
function pinned(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

/**
 * POSTs a delivery: resolves the host and refuses it unless every address is public (DNS may have
 * changed since the endpoint was saved), connects to the first checked address, follows no
 * redirect (a 3xx is a failure) and gives up after `timeoutMs`, however the time is spent.
 */
export async function post(rawUrl: string, body: string, headers: Record<string, string>, policy: AddressPolicy, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  let target: ResolvedAddress;
  let url: URL;
  try {
    url = parseEndpointUrl(rawUrl, policy);
    [target] = (await resolveEndpoint(url, policy)) as [ResolvedAddress];
  } catch (error) {
    return { ok: false, status: null, error: error instanceof AppError ? error.message : String(error) };
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Attempt>((resolve) => {
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    const done = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned(target),
        // A fresh connection per attempt: a pooled one could have been opened to another address.
        agent: false,
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < SNIPPET_BYTES) chunks.push(chunk.subarray(0, SNIPPET_BYTES - kept));
          kept += chunk.length;
        });
        response.on('end', () => {
          if (status >= 200 && status < 300) return done({ ok: true, status, error: null });
          const snippet = Buffer.concat(chunks).toString('utf8').trim();
          const why = status >= 300 && status < 400 ? `redirect to ${response.headers.location ?? '?'} not followed` : `HTTP ${status}`;
          done({ ok: false, status, error: snippet === '' ? why : `${why}: ${snippet}` });
        });
        response.on('error', (error) => done({ ok: false, status, error: error.message }));
        response.on('close', () => done({ ok: false, status, error: 'the connection closed before the answer ended' }));
      },
    );
    request.on('error', (error) => done({ ok: false, status: null, error: error.message }));
    request.end(body);
  });
}
