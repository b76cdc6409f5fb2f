import { createAttachments } from './attachments.ts';
import { createAuth } from './auth.ts';
import { createCannedResponses } from './canned-responses.ts';
import { createChannelCustomers } from './channel-customers.ts';
import { createConversations } from './conversations.ts';
import { createCustomers } from './customers.ts';
import type { DomainDeps } from './domain.ts';
import { createMessages } from './messages/messages.ts';
import { createRouting } from './routing.ts';
import { createSearch } from './search.ts';
import { createSignInLinks } from './sign-in-links.ts';
import { createShops } from './shops.ts';
import { createStaffService } from './staff.ts';
import { createStats } from './stats.ts';
import { createCsat } from './csat.ts';
import { createStatsReport } from './stats-report.ts';
import { createWebhooks } from './webhooks.ts';
import { createApiKeys } from './api-keys.ts';
import { createPushes } from './pushes.ts';
import { createBroadcasts } from './staff-chat/broadcasts.ts';
import { createStaffChat } from './staff-chat/staff-chat.ts';
import { createSync } from './sync.ts';
import { createWidgetSessions } from './widget-sessions.ts';
import { createWidgetAppearance } from './widget-appearance.ts';
import { createContacts } from './contacts/contacts.ts';
import { createContactTransfer } from './contacts/contact-import.ts';
import { createLabels } from './contacts/labels.ts';
import { createSavedViews } from './contacts/saved-views.ts';
import { createCampaigns } from './campaigns/campaigns.ts';
import { createOngoingCampaigns } from './campaigns/ongoing.ts';
import { createPlatformCampaigns } from './campaigns/platform.ts';
import { createTriage } from './inbox/triage.ts';
import { createTranscripts } from './inbox/transcript.ts';

export function createServices(deps: DomainDeps) {
  const auth = createAuth(deps);
  const attachments = createAttachments(deps, deps.files, deps.settings.attachments);
  const messages = createMessages(deps, attachments.claim);
  const signInLinks = createSignInLinks(deps);
  return {
    auth,
    routing: createRouting(deps, deps.settings.routing),
    attachments,
    widget: createWidgetSessions(deps, auth, signInLinks),
    signInLinks,
    conversations: createConversations(deps),
    messages,
    channelCustomers: createChannelCustomers(deps, messages, attachments),
    shops: createShops(deps),
    widgetAppearance: createWidgetAppearance(deps),
    staff: createStaffService(deps),
    sync: createSync(deps),
    cannedResponses: createCannedResponses(deps),
    customers: createCustomers(deps),
    search: createSearch(deps),
    stats: createStats(deps),
    csat: createCsat(deps, deps.store.csat),
    statsReport: createStatsReport(deps, deps.store.csat),
    webhooks: createWebhooks(deps, deps.webhooks),
    staffChat: createStaffChat(deps, deps.settings.staffChat),
    broadcasts: createBroadcasts(deps),
    apiKeys: createApiKeys(deps),
    pushes: createPushes(deps),
    contacts: createContacts(deps),
    contactTransfer: createContactTransfer(deps),
    labels: createLabels(deps),
    triage: createTriage(deps),
    transcripts: createTranscripts(deps),
    savedViews: createSavedViews(deps),
    campaigns: createCampaigns(deps, deps.store.campaigns),
    ongoingCampaigns: createOngoingCampaigns(deps, deps.store.campaigns),
    platformCampaigns: createPlatformCampaigns(deps, deps.store.campaigns),
  };
}

export type Services = ReturnType<typeof createServices>;
