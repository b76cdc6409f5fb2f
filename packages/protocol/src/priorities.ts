/** A service conversation's priority, in rising order: the inbox's "by priority" sort puts the last first. */
export const priorities = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof priorities)[number];
