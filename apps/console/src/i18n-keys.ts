/** Administration → API keys: English and Simplified Chinese (merged into i18n.ts). */
export const keysEn = {
  apiKeys: 'API keys',
  apiKey: 'API key',
  apiKeysHint:
    'Keys for your own systems: they send messages and pushes through the push APIs (POST /api/v1/push/…, goim’s /goim/push/…) as the header “Authorization: Bearer <key>”. A key acts for the whole shop: keep it on a server, never in a web page.',
  noApiKeys: 'No API keys yet.',
  apiKeyName: 'What it is for',
  apiKeyNamePlaceholder: 'Order system',
  createApiKey: 'Create key',
  apiKeyOnce: 'Copy the key now: it is shown this once. Revoke it and make a new one if it is lost.',
  apiKeyCreated: (when: string) => `Created ${when}`,
  revoke: 'Revoke',
  revokeApiKeyConfirm: (name: string) => `Revoke the key “${name}”? Whatever uses it stops working at once.`,
  apiKeyErrors: { API_KEY_LIMIT: 'The shop has as many API keys as allowed; revoke one first.', API_KEY_NOT_FOUND: 'That key is gone already.' } as Record<string, string>,
};

export type KeysStrings = typeof keysEn;

export const keysZh: KeysStrings = {
  apiKeys: 'API 密钥',
  apiKey: 'API 密钥',
  apiKeysHint:
    '供你自己的系统使用的密钥：通过推送接口（POST /api/v1/push/…、goim 的 /goim/push/…）发送消息和推送，请求头为“Authorization: Bearer <密钥>”。密钥代表整个店铺：请放在服务器上，切勿放进网页。',
  noApiKeys: '还没有 API 密钥。',
  apiKeyName: '用途',
  apiKeyNamePlaceholder: '订单系统',
  createApiKey: '创建密钥',
  apiKeyOnce: '请现在复制密钥：它只显示这一次。如果丢失，请吊销后重新创建。',
  apiKeyCreated: (when: string) => `创建于 ${when}`,
  revoke: '吊销',
  revokeApiKeyConfirm: (name: string) => `吊销密钥“${name}”？使用它的系统会立即失效。`,
  apiKeyErrors: { API_KEY_LIMIT: '店铺的 API 密钥已达上限，请先吊销一个。', API_KEY_NOT_FOUND: '该密钥已不存在。' },
};
