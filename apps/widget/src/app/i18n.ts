/** The widget's strings: English and Simplified Chinese. */
const en = {
  chat: 'Chat',
  title: 'Chat with us',
  close: 'Close chat',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  emoji: 'Emoji',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  sending: 'Sending',
  sent: 'Sent',
  read: 'Read',
  failed: 'Not sent',
  retry: 'Retry',
  loadingOlder: 'Loading earlier messages…',
  queued: (n: number) => (n === 1 ? 'You are next in line.' : `You are number ${n} in line.`),
  offline: 'We are away right now. Leave a message and we will get back to you.',
  typing: 'typing…',
  you: 'You',
  agent: 'Support',
  uploading: (p: number) => `Uploading ${p}%`,
  enterToSend: 'Enter sends',
  ctrlEnterToSend: 'Ctrl+Enter sends',
  newMessage: 'New message',
  tooLarge: 'This file is too large.',
  notAllowed: 'This kind of file cannot be sent.',
  error: 'Something went wrong. Try again.',
  notifications: 'Notify me',
  online: 'We are online',
  away: 'Away',
  allChats: 'Your conversations',
  noChats: 'No conversations yet.',
  unreadCount: (n: number) => `${n} unread`,
};

export type Strings = typeof en;

const zh: Strings = {
  chat: '在线客服',
  title: '联系我们',
  close: '关闭对话',
  placeholder: '输入消息…',
  send: '发送',
  attach: '发送文件',
  emoji: '表情',
  connecting: '正在连接…',
  reconnecting: '正在重新连接…',
  sending: '发送中',
  sent: '已发送',
  read: '已读',
  failed: '发送失败',
  retry: '重试',
  loadingOlder: '正在加载更早的消息…',
  queued: (n: number) => (n === 1 ? '下一位就是您。' : `您前面还有 ${n - 1} 位。`),
  offline: '客服暂时不在，请留言，我们会尽快回复。',
  typing: '正在输入…',
  you: '我',
  agent: '客服',
  uploading: (p: number) => `上传中 ${p}%`,
  enterToSend: 'Enter 发送',
  ctrlEnterToSend: 'Ctrl+Enter 发送',
  newMessage: '新消息',
  tooLarge: '文件太大。',
  notAllowed: '不支持发送此类文件。',
  error: '出错了，请重试。',
  notifications: '消息提醒',
  online: '客服在线',
  away: '客服离开',
  allChats: '我的会话',
  noChats: '还没有会话。',
  unreadCount: (n: number) => `${n} 条未读`,
};

export function strings(locale: string): Strings {
  return /^zh\b/i.test(locale) ? zh : en;
}

export function htmlLang(locale: string): string {
  return /^zh\b/i.test(locale) ? 'zh-CN' : 'en';
}
