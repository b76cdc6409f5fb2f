import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { CampaignStore } from './ports.ts';
import { campaignMove, newDraft } from './states.ts';

export interface PlatformCampaignInput {
  readonly name: string;
  readonly text: string;
  /** Platform customers' external ids; omitted = every platform customer. */
  readonly externalIds?: readonly string[];
  readonly throttlePerSecond?: number;
}

/**
 * Platform campaigns (docs/campaigns.md, "Platform campaigns"), a platform operation (the CLI, as
 * shops are created): platform customers are one person across the shops they dealt with, so the
 * operator's message goes to each of them in each such shop, as one campaign per shop, from that
 * shop's oldest active owner (a message in a service conversation is always from a staff member of
 * the shop), sent by the same sender as any campaign. A shop with no active owner is left out.
 */
export function createPlatformCampaigns({ store, now }: DomainDeps, campaigns: CampaignStore) {
  return {
    async create(input: PlatformCampaignInput): Promise<Array<{ shopId: string; campaignId: string; total: number }>> {
      const text = input.text.trim();
      if (text === '' || input.name.trim() === '') fail('VALIDATION_FAILED', 'A platform campaign needs a name and a text.');
      const audience = { ...(input.externalIds === undefined ? { all: true as const } : { externalIds: [...input.externalIds] }), platformOnly: true as const };
      const created = [];
      for (const { shopId } of await campaigns.shopsAddressed(audience)) {
        const owner = (await store.staff.list(shopId)).filter((s) => s.role === 'owner' && s.disabledAt === null).sort((a, b) => a.createdAt - b.createdAt)[0];
        if (!owner) continue;
        const at = now();
        const campaign = newDraft(
          { id: newId(), shopId, kind: 'one_off', name: input.name.trim(), senderId: owner.id, text, audience, trigger: null, throttlePerSecond: input.throttlePerSecond ?? null, scheduledAt: null, createdBy: owner.id },
          at,
        );
        await campaigns.create(campaign);
        const started = await campaigns.move(shopId, campaign.id, campaignMove('start', 'one_off', 'draft', at), at);
        created.push({ shopId, campaignId: campaign.id, total: started?.total ?? 0 });
      }
      return created;
    },
  };
}
