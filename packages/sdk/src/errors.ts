import { errorCatalogue, isErrorCode, type ErrorCode } from '@frontdesk/protocol';

/** Failures that happen on the client's side of the wire; they have no entry in the server's catalogue. */
export type LocalErrorCode = 'DISCONNECTED' | 'TIMEOUT' | 'CLIENT_CLOSED';
export type ClientErrorCode = ErrorCode | LocalErrorCode;

const localMessages: Record<LocalErrorCode, string> = {
  DISCONNECTED: 'The connection was lost before the server answered.',
  TIMEOUT: 'The server did not answer in time.',
  CLIENT_CLOSED: 'The client was closed.',
};

/**
 * Worth sending again unchanged: the server or the link was busy or down, the request itself is
 * fine. Everything else (VALIDATION_FAILED, FORBIDDEN, CONVERSATION_NOT_FOUND, …) fails again.
 */
const retryable: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>([
  'RATE_LIMITED',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
  'SLOW_CONSUMER',
  'DISCONNECTED',
  'TIMEOUT',
]);

/** Every error the SDK reports: `code` comes from the protocol's catalogue or is a local one. */
export class FrontdeskError extends Error {
  readonly code: ClientErrorCode;
  /** The WebSocket close code, when the error ended a connection. */
  readonly closeCode: number | null;

  constructor(code: ClientErrorCode, message?: string, closeCode: number | null = null) {
    super(message ?? (isErrorCode(code) ? errorCatalogue[code].message : localMessages[code]));
    this.name = 'FrontdeskError';
    this.code = code;
    this.closeCode = closeCode;
  }

  get retryable(): boolean {
    return retryable.has(this.code);
  }
}

/** Close codes after which reconnecting with the same token cannot succeed. */
const terminalCloseCodes: ReadonlySet<number> = new Set([
  4001, // AUTH_REQUIRED, TOKEN_INVALID
  4003, // ACCOUNT_DISABLED, FORBIDDEN
  4004, // ORIGIN_NOT_ALLOWED
]);

/** The server asked everyone to come back at once (restart, slow reader): no long backoff. */
const promptCloseCodes: ReadonlySet<number> = new Set([
  1012, // SERVICE_UNAVAILABLE: the node is restarting or shutting down
  4010, // SLOW_CONSUMER: reconnect and sync
]);

export function isTerminalClose(code: number): boolean {
  return terminalCloseCodes.has(code);
}

export function isPromptClose(code: number): boolean {
  return promptCloseCodes.has(code);
}

/** The server puts the error code in the close reason; older or foreign peers may not. */
export function closeError(code: number, reason: string): FrontdeskError {
  if (isErrorCode(reason)) return new FrontdeskError(reason, undefined, code);
  const byCloseCode = (Object.keys(errorCatalogue) as ErrorCode[]).find(
    (key) => (errorCatalogue[key] as { close?: number }).close === code,
  );
  return new FrontdeskError(byCloseCode ?? 'DISCONNECTED', reason === '' ? undefined : reason, code);
}
