/**
 * Routing's lines in a service conversation (docs/routing.md#system-messages), worded from the
 * message's notice in the agent's language: English and Simplified Chinese (merged into i18n.ts).
 * `actor` did it; `first` and `second` are the notice's userIds in order; `note` a transfer's note.
 */
type Wording = (actor: string, first: string, second: string, note: string) => string;

export const noticesEn = {
  routingNotices: {
    'inquiry.assigned': (_actor, first) => `${first} joined the conversation.`,
    'inquiry.transferred': (actor, first) => `${actor} transferred the conversation to ${first}.`,
    'inquiry.reassigned': (_actor, first, second) => `${first} did not answer in time while away: the conversation went to ${second}.`,
    'inquiry.closed': (actor) => `${actor} closed the conversation.`,
    'inquiry.queued': (actor) => `${actor} returned the conversation to the queue.`,
    'inquiry.released': (_actor, first) => `${first} can no longer sign in: the conversation went back to the queue.`,
    'member.invited': (actor, first) => `${actor} invited ${first} to the conversation.`,
    'transfer.note': (actor, _first, _second, note) => `Transfer note from ${actor}: ${note}`,
  } as Record<string, Wording>,
};

export const noticesZh: typeof noticesEn = {
  routingNotices: {
    'inquiry.assigned': (_actor, first) => `${first} 加入了对话。`,
    'inquiry.transferred': (actor, first) => `${actor} 将对话转给了 ${first}。`,
    'inquiry.reassigned': (_actor, first, second) => `${first} 离开期间未及时回复：对话已转给 ${second}。`,
    'inquiry.closed': (actor) => `${actor} 结束了对话。`,
    'inquiry.queued': (actor) => `${actor} 将对话退回了队列。`,
    'inquiry.released': (_actor, first) => `${first} 的账号已停用：对话已退回队列。`,
    'member.invited': (actor, first) => `${actor} 邀请 ${first} 加入了对话。`,
    'transfer.note': (actor, _first, _second, note) => `${actor} 的转接备注：${note}`,
  },
};
