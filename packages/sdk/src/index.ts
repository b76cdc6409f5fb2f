export { FrontdeskClient } from './client.ts';
export type { FrontdeskClientOptions, HistoryQuery, SendHandle, SendInput } from './options.ts';
export type { ClientEvents, ClientState, ClosedInfo, DisconnectInfo, FailedSend, StateChange } from './events.ts';
export { FrontdeskError, type ClientErrorCode, type LocalErrorCode } from './errors.ts';
export type { OutboxStore, PendingMessage } from './outbox.ts';
export type { SyncSummary } from './sync.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { SeenSeqs } from './seen-seqs.ts';
export type { WebSocketConstructor, WebSocketLike } from './websocket.ts';
