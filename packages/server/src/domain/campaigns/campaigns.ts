import { limits, type CampaignAudience, type CampaignCreateBody, type CampaignPatchBody, type CampaignStatus } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { fail } from '../errors.ts';
import { isId, newId } from '../ids.ts';
import type { Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import type { CampaignPatch, CampaignRecord, CampaignResults, CampaignStore, RecipientRecord } from './ports.ts';
import { campaignMove, editableStatuses, newDraft, type CampaignAction } from './states.ts';
import { campaignEvent } from './sender.ts';

export interface CampaignView {
  readonly campaign: CampaignRecord;
  readonly results: CampaignResults;
}

const noResults: CampaignResults = { read: 0, replied: 0, optedOut: 0 };

/**
 * Campaigns (docs/campaigns.md). Owners and admins create, edit, start, pause, resume and cancel
 * them; agents may read them (the list, a campaign, its recipients), as they read the shop's
 * conversations. Every read and write is scoped to the caller's shop.
 */
export function createCampaigns(deps: DomainDeps, campaigns: CampaignStore) {
  const { store, events, now } = deps;

  async function found(shopId: string, id: string): Promise<CampaignRecord> {
    const campaign = isId(id) ? await campaigns.find(shopId, id) : undefined;
    if (!campaign) fail('CAMPAIGN_NOT_FOUND');
    return campaign;
  }
  async function view(campaign: CampaignRecord): Promise<CampaignView> {
    const results = campaign.sent > 0 ? (await campaigns.results(campaign.shopId, [campaign.id])).get(campaign.id) : undefined;
    return { campaign, results: results ?? noResults };
  }
  async function checkSender(shopId: string, senderId: string): Promise<void> {
    const sender = isId(senderId) ? await store.staff.find(shopId, senderId) : undefined;
    if (!sender || sender.disabledAt !== null) fail('STAFF_NOT_FOUND', 'The sender is not an active staff member of the shop.');
  }

  return {
    async list(principal: Principal, query: { status?: CampaignStatus; cursor?: string; limit?: number }) {
      const staff = requireRole(principal, 'agent');
      const after = decodeCursor(query.cursor);
      const limit = Math.min(query.limit ?? limits.pageDefault, limits.pageMax);
      const rows = await campaigns.list(staff.shopId, query.status, after && { createdAt: after.lastActivityAt, id: after.id }, limit + 1);
      const page = rows.slice(0, limit);
      const results = await campaigns.results(staff.shopId, page.filter((c) => c.sent > 0).map((c) => c.id));
      const last = page.at(-1);
      return {
        items: page.map((campaign) => ({ campaign, results: results.get(campaign.id) ?? noResults })),
        nextCursor: rows.length > limit && last ? encodeCursor({ lastActivityAt: last.createdAt, id: last.id }) : null,
      };
    },

    async get(principal: Principal, id: string): Promise<CampaignView> {
      const staff = requireRole(principal, 'agent');
      return view(await found(staff.shopId, id));
    },

    async create(principal: Principal, body: CampaignCreateBody): Promise<CampaignView> {
      const staff = requireRole(principal, 'admin');
      checkShape(body.kind, body);
      await checkSender(staff.shopId, body.senderId);
      const at = now();
      const campaign = newDraft(
        {
          id: newId(),
          shopId: staff.shopId,
          kind: body.kind,
          name: nonBlank(body.name, 'name'),
          senderId: body.senderId,
          text: nonBlank(body.text, 'text'),
          audience: body.audience ?? null,
          trigger: body.trigger ?? null,
          throttlePerSecond: body.throttlePerSecond ?? null,
          scheduledAt: body.scheduledAt === undefined ? null : Date.parse(body.scheduledAt),
          createdBy: staff.id,
        },
        at,
      );
      await campaigns.create(campaign);
      return { campaign, results: noResults };
    },

    async patch(principal: Principal, id: string, body: CampaignPatchBody): Promise<CampaignView> {
      const staff = requireRole(principal, 'admin');
      const campaign = await found(staff.shopId, id);
      const statuses = editableStatuses(campaign.kind);
      if (!statuses.includes(campaign.status)) fail('CAMPAIGN_INVALID_TRANSITION', `A ${campaign.status} campaign cannot be edited.`);
      if (campaign.status !== 'draft' && Object.keys(body).some((key) => key !== 'text' && key !== 'trigger')) {
        fail('CAMPAIGN_INVALID_TRANSITION', 'Only the text and trigger of a started ongoing campaign can change.');
      }
      checkShape(campaign.kind, { ...body, audience: body.audience ?? campaign.audience ?? undefined, trigger: body.trigger ?? campaign.trigger ?? undefined });
      if (body.senderId !== undefined) await checkSender(staff.shopId, body.senderId);
      const patch: CampaignPatch = {
        ...(body.name !== undefined && { name: nonBlank(body.name, 'name') }),
        ...(body.text !== undefined && { text: nonBlank(body.text, 'text') }),
        ...(body.senderId !== undefined && { senderId: body.senderId }),
        ...(body.audience !== undefined && { audience: body.audience }),
        ...(body.trigger !== undefined && { trigger: body.trigger }),
        ...(body.scheduledAt !== undefined && { scheduledAt: body.scheduledAt === null ? null : Date.parse(body.scheduledAt) }),
        ...(body.throttlePerSecond !== undefined && { throttlePerSecond: body.throttlePerSecond }),
      };
      if (!(await campaigns.update(staff.shopId, id, patch, statuses, now()))) fail('CAMPAIGN_INVALID_TRANSITION', 'The campaign changed meanwhile.');
      return view(await found(staff.shopId, id));
    },

    async remove(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'admin');
      const campaign = await found(staff.shopId, id);
      if (campaign.status !== 'draft' || !(await campaigns.deleteDraft(staff.shopId, id))) {
        fail('CAMPAIGN_INVALID_TRANSITION', 'Only a draft can be deleted; cancel a started campaign instead.');
      }
    },

    /** start (now, or scheduled when its scheduledAt lies ahead), pause, resume, cancel. */
    async act(principal: Principal, id: string, request: 'start' | 'pause' | 'resume' | 'cancel'): Promise<CampaignView> {
      const staff = requireRole(principal, 'admin');
      const campaign = await found(staff.shopId, id);
      const at = now();
      const action: CampaignAction = request === 'start' && campaign.scheduledAt !== null && campaign.scheduledAt > at ? 'schedule' : request;
      const moved = await campaigns.move(staff.shopId, id, campaignMove(action, campaign.kind, campaign.status, at), at);
      if (!moved) fail('CAMPAIGN_INVALID_TRANSITION', 'The campaign changed meanwhile.');
      const result = await view(moved);
      await events.emit(campaignEvent('campaign.progressed', moved, result.results));
      return result;
    },

    async countAudience(principal: Principal, audience: CampaignAudience): Promise<number> {
      const staff = requireRole(principal, 'admin');
      checkAudience(audience);
      return campaigns.countAudience(staff.shopId, audience);
    },

    async recipients(principal: Principal, id: string, query: { status?: RecipientRecord['status']; cursor?: string; limit?: number }) {
      const staff = requireRole(principal, 'agent');
      await found(staff.shopId, id);
      const after = decodeRecipientCursor(query.cursor);
      const limit = Math.min(query.limit ?? limits.pageDefault, limits.pageMax);
      const rows = await campaigns.recipients(staff.shopId, id, query.status, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page, nextCursor: rows.length > limit && last ? Buffer.from(last.customerId).toString('base64url') : null };
    },
  };
}

function decodeRecipientCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isId(id)) fail('INVALID_CURSOR');
  return id;
}

/** A one-off campaign needs an audience and no trigger; an ongoing one the reverse. */
function checkShape(
  kind: CampaignRecord['kind'],
  body: { audience?: CampaignAudience | undefined; trigger?: unknown; scheduledAt?: string | null | undefined; throttlePerSecond?: number | null | undefined },
): void {
  if (kind === 'one_off') {
    if (body.trigger !== undefined) fail('VALIDATION_FAILED', 'A one-off campaign has an audience, not a trigger.');
    if (body.audience === undefined) fail('VALIDATION_FAILED', 'A one-off campaign needs an audience.');
    checkAudience(body.audience);
  } else {
    if (body.audience !== undefined || body.scheduledAt != null || body.throttlePerSecond != null) {
      fail('VALIDATION_FAILED', 'An ongoing campaign has a trigger, not an audience, a schedule or a throttle.');
    }
    if (body.trigger === undefined) fail('VALIDATION_FAILED', 'An ongoing campaign needs a trigger.');
  }
}

export function checkAudience(audience: CampaignAudience): void {
  const bases = [audience.all, audience.labelIds, audience.externalIds].filter((base) => base !== undefined).length;
  if (bases !== 1) fail('VALIDATION_FAILED', 'An audience has exactly one of "all", "labelIds" or "externalIds" ("attributes" narrow it).');
  for (const condition of audience.attributes ?? []) {
    if ((condition.op === 'exists') !== (condition.value === undefined)) {
      fail('VALIDATION_FAILED', `Attribute condition on "${condition.key}": "exists" takes no value, every other operator needs one.`);
    }
    if ((condition.op === 'gt' || condition.op === 'gte' || condition.op === 'lt' || condition.op === 'lte') && typeof condition.value === 'boolean') {
      fail('VALIDATION_FAILED', `Attribute condition on "${condition.key}": "${condition.op}" compares numbers or text.`);
    }
    if (condition.op === 'contains' && typeof condition.value !== 'string') fail('VALIDATION_FAILED', `Attribute condition on "${condition.key}": "contains" takes text.`);
  }
}

function nonBlank(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') fail('VALIDATION_FAILED', `"${field}" is empty.`);
  return trimmed;
}
