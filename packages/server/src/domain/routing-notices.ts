import type { Notice, Visibility } from '@frontdesk/protocol';

/**
 * What routing writes into a service conversation's timeline (issue 22): the notice as data, for
 * each reader's language, the English `text` for clients that do not know the code, and who may
 * see it. Customers see who joined, a transfer and a close; every movement a customer cannot act
 * on (back to the queue, a reassignment by the shop's policy, a transfer note) is for staff only,
 * so the widget shows a calm "we'll reply soon" state instead (docs/routing.md#system-messages).
 */
export interface RoutingLine {
  readonly notice: Notice;
  readonly text: string;
  readonly visibility: Visibility;
}

type NameOf = (staffId: string | null) => string;

export function routingLine(notice: Notice, nameOf: NameOf): RoutingLine {
  const actor = nameOf(notice.actorId);
  const [first = null, second = null] = notice.userIds;
  switch (notice.code) {
    case 'inquiry.assigned':
      return { notice, text: `${nameOf(first)} joined the conversation.`, visibility: 'public' };
    case 'inquiry.transferred':
      return { notice, text: `${actor} transferred the conversation to ${nameOf(first)}.`, visibility: 'public' };
    case 'inquiry.closed':
      return { notice, text: `${actor} closed the conversation.`, visibility: 'public' };
    case 'member.invited':
      return { notice, text: `${actor} invited ${nameOf(first)} to the conversation.`, visibility: 'public' };
    case 'inquiry.queued':
      return {
        notice,
        text: notice.reason === 'disabled' ? `${nameOf(first)} can no longer sign in: the conversation went back to the queue.` : `${actor} returned the conversation to the queue.`,
        visibility: 'internal',
      };
    case 'inquiry.reassigned':
      return { notice, text: `${nameOf(first)} did not answer in time: the conversation went to ${nameOf(second)}.`, visibility: 'internal' };
    case 'transfer.note':
      return { notice, text: `Transfer note from ${actor}: ${notice.note ?? ''}`, visibility: 'internal' };
    default:
      return { notice, text: '', visibility: 'internal' };
  }
}
