import type { Services } from '../domain/services.ts';
import type { ShopStore } from '../domain/ports.ts';

export interface DemoAccount {
  readonly shopId: string;
  readonly email: string;
  readonly password: string;
}

/**
 * On the first start of an empty database: a demo shop and its owner, so a newcomer can log in
 * at once. Runs only while no shop exists; the password is printed this once and never stored.
 */
export async function seedDemoIfEmpty(services: Services, shops: ShopStore): Promise<DemoAccount | null> {
  if ((await shops.count()) > 0) return null;
  const shop = await services.shops.create('Demo shop');
  const { staff, password } = await services.staff.createInShop(shop.id, {
    email: 'owner@demo.frontdesk.local',
    name: 'Demo owner',
    role: 'owner',
  });
  return { shopId: shop.id, email: staff.email, password };
}
