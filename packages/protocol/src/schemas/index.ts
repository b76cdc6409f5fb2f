/**
 * `@frontdesk/protocol/schemas`: the wire contract as TypeBox schemas, the one source that HTTP,
 * WebSocket and goim input is validated against and the OpenAPI document is built from. The types
 * of the main entry are derived from these; browser bundles import only the types (index.ts).
 * A schema with a type is named after it (`MessageSchema`, type `Message`); building blocks (`Id`,
 * `Seq`, `ClientMsgId`, the fields of the message requests) have no type of their own.
 */
export * from './api-keys.ts';
export * from './atoms.ts';
export * from './bodies.ts';
export * from './campaigns.ts';
export * from './canned-responses.ts';
export * from './channels.ts';
export * from './client-frames.ts';
export * from './contacts.ts';
export * from './csat.ts';
export * from './conversations.ts';
export * from './inbox.ts';
export * from './customers.ts';
export * from './errors.ts';
export * from './message-requests.ts';
export * from './messages.ts';
export * from './operations.ts';
export * from './routing.ts';
export * from './push.ts';
export * from './server-frames.ts';
export * from './shops.ts';
export * from './staff-chat.ts';
export * from './statistics.ts';
export * from './unsafe-input.ts';
export * from './webhooks.ts';
export * from './widget-appearance.ts';
