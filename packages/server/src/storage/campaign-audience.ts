import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { AttributeCondition, CampaignAudience } from '@frontdesk/protocol';
import type { Engine } from './connect.ts';
import type { Database } from './schema.ts';

type Scope = Database & { ct: Database['contacts']; cu: Database['customers'] };

/**
 * The contacts of a shop an audience addresses now (docs/campaigns.md, "Audience"): all of them, or
 * those with any of the labels, or those whose customer has one of the external ids; narrowed by
 * every attribute condition; never one who opted out. Attributes are the customer's JSON object:
 * json_extract on SQLite, jsonb on PostgreSQL. Lists travel as one JSON parameter (100,000 external
 * ids are more than either engine binds).
 */
export function audienceQuery(db: Kysely<Database> | Transaction<Database>, engine: Engine, shopId: string | null, audience: CampaignAudience) {
  let q = db
    .selectFrom('contacts as ct')
    .innerJoin('customers as cu', 'cu.id', 'ct.customer_id')
    .where('ct.opted_out_at', 'is', null);
  // Null only for a platform campaign's question "which shops?": never for anything a shop asks.
  if (shopId !== null) q = q.where('ct.shop_id', '=', shopId);
  if (audience.platformOnly === true) q = q.where('cu.kind', '=', 'platform');
  const labelIds = audience.labelIds;
  if (labelIds !== undefined) {
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('contact_labels as cl')
          .select(sql`1`.as('one'))
          .whereRef('cl.shop_id', '=', 'ct.shop_id')
          .whereRef('cl.customer_id', '=', 'ct.customer_id')
          .where('cl.label_id', 'in', labelIds),
      ),
    );
  }
  if (audience.externalIds !== undefined) {
    const list = JSON.stringify(audience.externalIds);
    q = q.where(
      'cu.external_id',
      'in',
      engine === 'postgres' ? sql<string>`(select jsonb_array_elements_text(${list}::jsonb))` : sql<string>`(select value from json_each(${list}))`,
    );
  }
  for (const condition of audience.attributes ?? []) q = q.where((eb) => attributeCondition(eb, engine, condition));
  return q;
}

function attributeCondition(eb: ExpressionBuilder<Scope, 'ct' | 'cu'>, engine: Engine, c: AttributeCondition): Expression<SqlBool> {
  const pg = engine === 'postgres';
  // The value as JSON sees it, its JSON type, and its text.
  const path = `$."${c.key}"`;
  const type = pg ? sql<string>`jsonb_typeof(cu.attributes::jsonb -> ${c.key})` : sql<string>`json_type(cu.attributes, ${path})`;
  const text = pg ? sql<string>`(cu.attributes::jsonb ->> ${c.key})` : sql<string>`json_extract(cu.attributes, ${path})`;
  const numeric = pg ? sql`(case when jsonb_typeof(cu.attributes::jsonb -> ${c.key}) = 'number' then (cu.attributes::jsonb ->> ${c.key})::numeric end)` : text;
  const numberTypes = pg ? sql`(${type} = 'number')` : sql`(${type} in ('integer', 'real'))`;
  const v = c.value;
  const same = (): Expression<SqlBool> => {
    if (typeof v === 'boolean') return pg ? sql<SqlBool>`(${type} = 'boolean' and ${text} = ${String(v)})` : sql<SqlBool>`(${type} = ${v ? 'true' : 'false'})`;
    if (typeof v === 'number') return sql<SqlBool>`(${numberTypes} and ${numeric} = ${v})`;
    return sql<SqlBool>`(${type} = ${pg ? 'string' : 'text'} and ${text} = ${v ?? ''})`;
  };
  const order = (op: '>' | '>=' | '<' | '<='): Expression<SqlBool> =>
    typeof v === 'number'
      ? sql<SqlBool>`(${numberTypes} and ${numeric} ${sql.raw(op)} ${v})`
      : sql<SqlBool>`(${type} = ${pg ? 'string' : 'text'} and ${text} ${sql.raw(op)} ${String(v)})`;
  switch (c.op) {
    case 'exists':
      return sql<SqlBool>`(${type} is not null and ${type} <> 'null')`;
    case 'eq':
      return same();
    // Missing attributes differ from any value.
    case 'neq':
      return sql<SqlBool>`(not coalesce(${same()}, false))`;
    case 'gt':
      return order('>');
    case 'gte':
      return order('>=');
    case 'lt':
      return order('<');
    case 'lte':
      return order('<=');
    case 'contains': {
      const needle = `%${String(v).toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      return sql<SqlBool>`(${type} = ${pg ? 'string' : 'text'} and lower(${text}) like ${needle} escape '\\')`;
    }
  }
}
