/**
 * The per-user connection limit (WS_MAX_CONNECTIONS_PER_USER). One node counts its own sockets; a
 * cluster counts every node's (cluster/connection-presence.ts), so a user cannot open the limit on
 * each node behind a round-robin balancer.
 */
export interface ConnectionLimit {
  /** Counts one more connection of the user; false (and nothing counted) when that would pass `max`. */
  acquire(userId: string, max: number): Promise<boolean>;
  /** A counted connection closed. */
  release(userId: string): void;
}

export function localConnectionLimit(): ConnectionLimit & { count(userId: string): number } {
  const counts = new Map<string, number>();
  return {
    async acquire(userId, max) {
      const next = (counts.get(userId) ?? 0) + 1;
      if (next > max) return false;
      counts.set(userId, next);
      return true;
    },
    release(userId) {
      const left = (counts.get(userId) ?? 1) - 1;
      if (left > 0) counts.set(userId, left);
      else counts.delete(userId);
    },
    count: (userId) => counts.get(userId) ?? 0,
  };
}
