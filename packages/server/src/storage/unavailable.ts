/**
 * Whether a storage failure means "the database cannot serve us right now" (down, restarting, a
 * connection cut, a lock or statement bound reached) rather than "this request is wrong". Such a
 * failure is answered as STORAGE_UNAVAILABLE: the client tries again and nobody is signed out.
 */
export function isStorageUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NODE_NETWORK_CODES.has(code) || PG_RETRY_CODES.has(code) || code.startsWith('08')) return true;
    // node:sqlite: another connection holds the write lock past busy_timeout.
    if (code === 'ERR_SQLITE_ERROR' && typeof message === 'string' && /database is (locked|busy)/i.test(message)) return true;
  }
  // node-postgres reports a lost or unobtainable connection without a code.
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

const NODE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** SQLSTATEs that say nothing about the request (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const PG_RETRY_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown (a fast shutdown, pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '25P03', // idle_in_transaction_session_timeout
]);

const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
];
