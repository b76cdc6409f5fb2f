import type { InquiryStatus } from '@frontdesk/protocol';

/**
 * Every allowed inquiry transition, in one place (STYLE.md). A closed inquiry never reopens:
 * the customer's next message opens a new inquiry.
 */
export const inquiryTransitions: Readonly<Record<InquiryStatus, readonly InquiryStatus[]>> = {
  queued: ['assigned', 'closed'],
  assigned: ['assigned', 'queued', 'closed'],
  closed: [],
};

export function canTransition(from: InquiryStatus, to: InquiryStatus): boolean {
  return inquiryTransitions[from].includes(to);
}

export function isOpen(status: InquiryStatus | null): boolean {
  return status === 'queued' || status === 'assigned';
}
