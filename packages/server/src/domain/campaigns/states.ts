import type { CampaignKind, CampaignStatus } from '@frontdesk/protocol';
import type { CampaignRecord } from './ports.ts';
import { fail } from '../errors.ts';

/**
 * Every status change of a campaign, in one table (STYLE.md; like inquiry-states.ts):
 *   draft → running (start now) or scheduled (start at a time) → running (the time came)
 *   running ⇄ paused; running → completed (the last recipient's turn passed)
 *   draft, scheduled, running, paused → cancelled
 * Storage applies a move as a conditional update on `from`, so two requests racing see one win.
 */
export type CampaignAction = 'start' | 'schedule' | 'begin' | 'pause' | 'resume' | 'cancel' | 'complete';

const table: Readonly<Record<CampaignAction, { readonly from: readonly CampaignStatus[]; readonly to: CampaignStatus }>> = {
  start: { from: ['draft'], to: 'running' },
  schedule: { from: ['draft'], to: 'scheduled' },
  begin: { from: ['scheduled'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['draft', 'scheduled', 'running', 'paused'], to: 'cancelled' },
  complete: { from: ['running'], to: 'completed' },
};

export interface CampaignMove {
  readonly from: readonly CampaignStatus[];
  readonly to: CampaignStatus;
  /** One-off campaigns fix their audience (recipient rows) as they first run. */
  readonly fixAudience: boolean;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

/** The move `action` makes from `status`, or CAMPAIGN_INVALID_TRANSITION. */
export function campaignMove(action: CampaignAction, kind: CampaignKind, status: CampaignStatus, now: number): CampaignMove {
  const { from, to } = table[action];
  if (!from.includes(status)) fail('CAMPAIGN_INVALID_TRANSITION', `A ${status} campaign cannot ${action === 'begin' ? 'begin' : action}.`);
  if (kind === 'ongoing' && (action === 'schedule' || action === 'begin' || action === 'complete')) fail('CAMPAIGN_INVALID_TRANSITION', `An ongoing campaign cannot ${action}.`);
  const firstRun = action === 'start' || action === 'begin';
  return {
    from,
    to,
    fixAudience: firstRun && kind === 'one_off',
    ...(firstRun && { startedAt: now }),
    ...((to === 'completed' || to === 'cancelled') && { finishedAt: now }),
  };
}

/** Which statuses a campaign may be edited in: drafts; an ongoing campaign's text and trigger at any time before it ends. */
export function editableStatuses(kind: CampaignKind): readonly CampaignStatus[] {
  return kind === 'ongoing' ? ['draft', 'running', 'paused'] : ['draft'];
}

export const campaignTransitions = table;

/** What a campaign is made of; every campaign begins as a draft with nothing sent. */
export type DraftFields = Pick<CampaignRecord, 'id' | 'shopId' | 'kind' | 'name' | 'senderId' | 'text' | 'audience' | 'trigger' | 'throttlePerSecond' | 'scheduledAt' | 'createdBy'>;

export function newDraft(fields: DraftFields, at: number): CampaignRecord {
  return { ...fields, status: 'draft', startedAt: null, finishedAt: null, total: 0, sent: 0, failed: 0, skipped: 0, createdAt: at, updatedAt: at };
}
