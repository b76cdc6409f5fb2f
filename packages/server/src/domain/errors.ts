import { errorCatalogue, type ErrorCode } from '@frontdesk/protocol';

/** An error a client may see: its code is in the catalogue, its message is safe to show. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: readonly string[] | undefined;

  constructor(code: ErrorCode, message?: string, details?: readonly string[]) {
    super(message ?? errorCatalogue[code].message);
    this.code = code;
    this.details = details;
  }
}

export function fail(code: ErrorCode, message?: string, details?: readonly string[]): never {
  throw new AppError(code, message, details);
}
