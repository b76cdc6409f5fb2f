/** Readable setting names, units and the one-time password panel (issue 22, items 7–9): English and Simplified Chinese (merged into i18n.ts). */
import type { CustomerKind, RoutingStrategy, StaffRole } from '@frontdesk/protocol';

export const lookEn = {
  strategies: {
    'sticky-then-least-busy': 'The customer’s last agent, else the least busy',
    'least-busy': 'The least busy agent',
    'round-robin': 'Agents in turn (round robin)',
    random: 'A random agent',
    manual: 'Nobody: agents claim from the queue',
  } satisfies Record<RoutingStrategy, string>,
  roles: { agent: 'Agent', admin: 'Admin', owner: 'Owner' } satisfies Record<StaffRole, string>,
  customerKinds: { anonymous: 'Anonymous visitor', shop: 'Signed in on the shop’s site', platform: 'Signed in on the platform' } satisfies Record<CustomerKind, string>,
  /** A WeChat fan: known by their openid within the shop's official account (WeChat gives no name). */
  wechatFollower: 'Follower of the WeChat account',
  /** Closing a dialog or panel (`close` is closing an inquiry: 结束 in Chinese). */
  closeDialog: 'Close',
  oneTimePassword: 'One-time password',
  uploadRefused: (name: string, reason: string) => `“${name}” was not sent: ${reason}`,
  uploadErrors: {
    ATTACHMENT_TOO_LARGE: 'it is larger than the shop allows.',
    ATTACHMENT_TYPE_NOT_ALLOWED: 'this kind of file may not be sent.',
  } as Record<string, string>,
  passwordOnceNote: (name: string) => `Copy it now and give it to ${name}: it is shown only this once. If it is lost, the server’s “frontdesk staff reset-password” makes a new one.`,
};

export type LookStrings = typeof lookEn;

export const lookZh: LookStrings = {
  strategies: {
    'sticky-then-least-busy': '优先上次接待的客服，否则最空闲的客服',
    'least-busy': '最空闲的客服',
    'round-robin': '客服轮流接待',
    random: '随机分配给客服',
    manual: '不自动分配：客服从排队中认领',
  },
  roles: { agent: '客服', admin: '管理员', owner: '所有者' },
  customerKinds: { anonymous: '匿名访客', shop: '已在店铺网站登录', platform: '已在平台登录' },
  wechatFollower: '公众号粉丝',
  closeDialog: '关闭',
  oneTimePassword: '一次性密码',
  uploadRefused: (name: string, reason: string) => `“${name}”未发送：${reason}`,
  uploadErrors: {
    ATTACHMENT_TOO_LARGE: '文件超过了店铺允许的大小。',
    ATTACHMENT_TYPE_NOT_ALLOWED: '不允许发送此类文件。',
  },
  passwordOnceNote: (name: string) => `请现在复制并交给 ${name}：它只显示这一次。如果丢失，可在服务器上用“frontdesk staff reset-password”重新生成。`,
};
