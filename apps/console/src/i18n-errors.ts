import type { ErrorCode } from '@frontdesk/protocol';

/** What the console shows for an error the API answered with: its code's text, or the server's own message. */
export type ErrorTexts = Partial<Record<ErrorCode | 'NETWORK', string>>;

/** English: the server's messages are English already (packages/protocol/src/errors.ts). */
export const errorsEn: ErrorTexts = {};

/**
 * Every code of the protocol's catalogue in Chinese: a code added to the catalogue without a line
 * here fails the console's type check.
 */
export const errorsZh: Record<ErrorCode | 'NETWORK', string> = {
  NETWORK: '无法连接到服务器。',
  VALIDATION_FAILED: '请求的内容不符合要求。',
  INVALID_JSON: '请求内容不是有效的 JSON。',
  INVALID_CURSOR: '分页位置无效或来自另一个列表。',
  AUTH_REQUIRED: '需要登录。',
  AUTH_TIMEOUT: '连接后未及时验证身份。',
  HEARTBEAT_TIMEOUT: '连接静默太久。',
  TOKEN_INVALID: '登录已失效，请重新登录。',
  INVALID_CREDENTIALS: '邮箱或密码错误。',
  IDENTITY_INVALID: '无法验证客户身份。',
  VISITOR_TOKEN_INVALID: '此店铺不认识该访客凭据。',
  ACCOUNT_DISABLED: '该账号已停用。',
  FORBIDDEN: '你的角色不允许此操作。',
  ORIGIN_NOT_ALLOWED: '此来源不允许建立连接。',
  PLATFORM_IDENTITY_DISABLED: '此部署未启用平台身份。',
  ROUTE_NOT_FOUND: '没有这个地址。',
  SHOP_NOT_FOUND: '找不到该店铺。',
  STAFF_NOT_FOUND: '找不到该员工。',
  CONVERSATION_NOT_FOUND: '找不到该会话。',
  MESSAGE_NOT_FOUND: '找不到该消息。',
  CUSTOMER_NOT_FOUND: '找不到该客户。',
  CANNED_RESPONSE_NOT_FOUND: '找不到该快捷回复。',
  WEBHOOK_NOT_FOUND: '找不到该 Webhook 端点。',
  WEBHOOK_DELIVERY_NOT_FOUND: '找不到该次投递。',
  BROADCAST_NOT_FOUND: '找不到该广播。',
  API_KEY_NOT_FOUND: '找不到该 API 密钥。',
  LABEL_NOT_FOUND: '找不到该标签。',
  NOTE_NOT_FOUND: '找不到该备注。',
  VIEW_NOT_FOUND: '找不到该视图。',
  LOGO_NOT_FOUND: '此店铺没有这个标志图片。',
  CAMPAIGN_NOT_FOUND: '找不到该营销活动。',
  INQUIRY_NOT_FOUND: '找不到该咨询。',
  ROOM_NOT_FOUND: '没有这个房间。',
  GROUP_FULL: '群组人数已满，请先移除成员。',
  MESSAGE_NOT_EDITABLE: '只有发送者可以编辑未删除的文字消息。',
  EMAIL_TAKEN: '已有员工账号使用此邮箱。',
  SHORTCUT_TAKEN: '店铺的另一条快捷回复已使用此快捷键。',
  LABEL_NAME_TAKEN: '店铺已有同名标签。',
  API_KEY_LIMIT: '店铺的 API 密钥已达上限（20 个），请先删除一个。',
  WECHAT_NOT_CONNECTED: '此店铺尚未连接微信公众号。',
  WECHAT_APP_TAKEN: '该微信公众号已连接到另一个店铺。',
  DELIVERY_NOT_FAILED: '该消息没有投递失败，无需重试。',
  WEBHOOK_LIMIT: '店铺的 Webhook 端点已达上限（20 个），请先删除一个。',
  WEBHOOK_DISABLED: '该 Webhook 端点已停用，请先启用。',
  WEBHOOK_URL_REFUSED: '不允许使用此 URL：必须是 https:// 且指向公网地址。',
  LAST_OWNER: '店铺至少要保留一位启用中的所有者。',
  INVALID_TRANSITION: '该咨询当前的状态不能变为这个状态。',
  CSAT_DISABLED: '此店铺未开启满意度评价。',
  INQUIRY_NOT_CLOSED: '只有已结束的咨询可以评价。',
  CSAT_WINDOW_CLOSED: '该咨询结束已超过 7 天，不能再评价。',
  CAMPAIGN_INVALID_TRANSITION: '营销活动在当前状态下不能这样做。',
  PRECHAT_REQUIRED: '店铺要求在第一条消息前填写姓名或邮箱。',
  CONVERSATION_NOT_OPEN: '只有进行中（排队或已分配）的会话可以暂停提醒。',
  CONVERSATION_READ_ONLY: '只有成员可以在此会话中发言。',
  AGENT_UNAVAILABLE: '该客服离线、离开或已满负荷。',
  ATTACHMENT_NOT_FOUND: '找不到该附件。',
  ATTACHMENT_IN_USE: '该附件已属于另一条消息。',
  ATTACHMENT_TOO_LARGE: '文件超过了店铺允许的大小。',
  ATTACHMENT_TYPE_NOT_ALLOWED: '不允许上传此类文件。',
  UPLOAD_NOT_FOUND: '上传不存在、已完成或已过期。',
  UPLOAD_OFFSET_MISMATCH: '分块的位置与上传进度不符，请从当前进度继续。',
  UPLOAD_INCOMPLETE: '上传尚未收到全部内容。',
  UPLOAD_BUSY: '此上传的另一个分块正在写入。',
  LINK_INVALID: '链接无效或已过期，请重新获取。',
  PAYLOAD_TOO_LARGE: '请求或消息太大。',
  LOGO_INVALID: '标志图片须为不超过 128 KiB 的 PNG、JPEG、WebP 或 GIF。',
  CSV_INVALID: '无法读取 CSV 文件：请检查表头和引号。',
  UNSUPPORTED_MEDIA_TYPE: '请以 application/json 发送 JSON。',
  RATE_LIMITED: '操作太频繁，请稍后再试。',
  TOO_MANY_CONNECTIONS: '此用户打开的连接太多。',
  INVALID_SYNC_TOKEN: '同步凭据无效或属于他人。',
  INTERNAL: '服务器出错了。',
  SERVICE_UNAVAILABLE: '服务正在启动或关闭。',
  STORAGE_UNAVAILABLE: '暂时无法访问数据库，请稍后再试。',
  SLOW_CONSUMER: '客户端读取太慢，请重新连接。',
};

/**
 * An error as the console says it: the text of its code in the admin's language, else the server's
 * own message; anything without a code (a bug, a refused download) is `t.error`.
 */
export function errorText(e: unknown, t: { readonly error: string; readonly errors: ErrorTexts }): string {
  if (!(e instanceof Error) || typeof (e as { code?: unknown }).code !== 'string') return t.error;
  return t.errors[(e as Error & { code: ErrorCode }).code] ?? e.message;
}
