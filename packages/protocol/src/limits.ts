/** Limits shared by the server and clients. */
export const limits = {
  textMaxChars: 8000,
  clientMsgIdMaxChars: 64,
  pageMax: 100,
  pageDefault: 50,
  nameMaxChars: 120,
  /** File names are cut to this many characters. */
  fileNameMaxChars: 200,
  /** Customer attributes: keys per customer, characters per string value. */
  attributesMax: 20,
  attributeValueMaxChars: 200,
} as const;

export const attributeKeyPattern = '^[A-Za-z0-9_.-]{1,40}$';

/** Defaults the server announces in `auth.ok`; clients should use the announced values. */
export const realtimeDefaults = {
  heartbeatMs: 25_000,
  authTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  syncPageMax: 500,
} as const;
