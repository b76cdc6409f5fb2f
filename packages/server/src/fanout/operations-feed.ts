import type { Operations } from '@frontdesk/protocol';
import type { BusEvent } from './bus.ts';

/**
 * The operations figures of a shop as a frame, and who receives it: the shop's connections that
 * subscribed (`operations.subscribe`), owners and admins only (the hub checks the role again at
 * each delivery, so a demoted admin stops receiving them). Each node computes the figures for its
 * own subscribers and hands this straight to its hub rather than to the bus: published, every
 * node would deliver every other node's copy too.
 */
export function operationsFrame(shopId: string, operations: Operations): BusEvent {
  return { type: 'operations', audience: { userIds: [], shopStaff: null, exceptUserIds: [], withinShop: shopId, watching: 'operations' }, operations };
}
