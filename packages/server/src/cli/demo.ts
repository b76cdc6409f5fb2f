import { AppError } from '../domain/errors.ts';
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
  const { staff, password } = await services.staff.createInShop(shop.id, { email: DEMO_OWNER, name: 'Demo owner', role: 'owner' });
  return { shopId: shop.id, email: staff.email, password };
}

/**
 * `frontdesk demo`: the demo owner's credentials again (a new password; the old one and its
 * sessions end), for when the once-shown banner was missed. Makes the demo on an empty database.
 */
export async function demoAccount(services: Services, shops: ShopStore): Promise<DemoAccount> {
  const seeded = await seedDemoIfEmpty(services, shops);
  if (seeded) return seeded;
  try {
    const { staff, password } = await services.staff.resetPassword(DEMO_OWNER);
    return { shopId: staff.shopId, email: staff.email, password };
  } catch (error) {
    if (error instanceof AppError && error.code === 'STAFF_NOT_FOUND') {
      throw new AppError('STAFF_NOT_FOUND', 'this database has shops but no demo shop; make staff with `frontdesk staff create`');
    }
    throw error;
  }
}

/** How to sign in as the demo owner, for the start banner and `frontdesk demo`. */
export function demoLines(demo: DemoAccount, base: string): string[] {
  return [
    `  shop id:   ${demo.shopId}`,
    `  owner:     ${demo.email}`,
    `  password:  ${demo.password}`,
    `  sign in at ${base}/console/ with the owner's e-mail and password, or by API:`,
    `  log in:    curl -X POST ${base}/api/v1/auth/login -H 'content-type: application/json' -d '{"email":"${demo.email}","password":"${demo.password}"}'`,
  ];
}

const DEMO_OWNER = 'owner@demo.frontdesk.local';
