import type { RoutingStrategy } from '@frontdesk/protocol';
import type { AgentCandidate, QueuedInquiry } from './ports.ts';

/**
 * Picks the agent for a queued inquiry (docs/routing.md). Pure: the candidates are the agents who
 * may take an inquiry now (online, enabled, below capacity), read in the same transaction.
 */
export function chooseAgent(
  strategy: RoutingStrategy,
  inquiry: Pick<QueuedInquiry, 'previousAgentId'>,
  candidates: readonly AgentCandidate[],
  random: () => number = Math.random,
): string | null {
  if (candidates.length === 0 || strategy === 'manual') return null;
  const assignedLongestAgo = (a: AgentCandidate, b: AgentCandidate) =>
    (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1) || (a.staffId < b.staffId ? -1 : 1);
  switch (strategy) {
    case 'sticky-then-least-busy': {
      const previous = candidates.find((a) => a.staffId === inquiry.previousAgentId);
      if (previous) return previous.staffId;
      return chooseAgent('least-busy', inquiry, candidates, random);
    }
    case 'least-busy':
      return [...candidates].sort((a, b) => a.openInquiries - b.openInquiries || assignedLongestAgo(a, b))[0]!.staffId;
    case 'round-robin':
      return [...candidates].sort(assignedLongestAgo)[0]!.staffId;
    case 'random':
      return candidates[Math.floor(random() * candidates.length)]!.staffId;
  }
}
