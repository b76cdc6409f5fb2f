import { attributeKeyPattern, limits, type ContactImportResult, type ContactListQuery, type CustomerAttributes } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { AppError, fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import { attributeValue, contactFilter } from './contact-filter.ts';
import type { ContactOrder, ContactPosition, ContactRecord, ImportLine, LabelRecord } from './ports.ts';

/** One data line of a CSV file as read (the header's names → the cells); `line` counts the header as 1. */
export interface CsvRecord {
  readonly line: number;
  /** How many cells the line has (a line may leave out empty ones at its end, never add some). */
  readonly width: number;
  readonly cells: Readonly<Record<string, string>>;
}

/** Columns an import reads; `attr.<key>` columns set attributes. The export's other columns are ignored. */
export const IMPORT_COLUMNS = ['external_id', 'name', 'email', 'labels', 'opted_out'] as const;
const EXTERNAL_ID_MAX = 255;
const ERRORS_SHOWN = 100;
/** Lines written per transaction: big enough to be quick, small enough not to hold the writer long. */
const LINES_PER_BATCH = 500;
const EXPORT_PAGE = 1000;
/** Labels an import names but the shop lacks are made in this colour (owners recolour them later). */
export const IMPORTED_LABEL_COLOR = '#6b7280';
const attributeKey = new RegExp(attributeKeyPattern);
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Contact import and export (docs/contacts.md#import-and-export). The HTTP edge reads and writes
 * the CSV; here each line is checked and turned into an `ImportLine`. Bad lines are reported by
 * number and skipped; good ones are written. Running the same file again changes nothing.
 */
export function createContactTransfer({ store, now }: DomainDeps) {
  /** The shop's labels by name, made for names the file uses and the shop lacks. */
  async function labelsByName(shopId: string, names: ReadonlySet<string>): Promise<Map<string, string>> {
    const byName = new Map((await store.labels.list(shopId)).map((l) => [l.name, l.id]));
    for (const name of names) {
      if (byName.has(name)) continue;
      const label: LabelRecord = { id: newId(), shopId, name, color: IMPORTED_LABEL_COLOR, createdAt: now() };
      try {
        await store.labels.create(label);
        byName.set(name, label.id);
      } catch (error) {
        // Made meanwhile by someone else: theirs is the one.
        if (!(error instanceof AppError && error.code === 'LABEL_NAME_TAKEN')) throw error;
        const made = (await store.labels.list(shopId)).find((l) => l.name === name);
        if (made) byName.set(name, made.id);
      }
    }
    return byName;
  }

  return {
    async importCsv(principal: Principal, columns: readonly string[], records: readonly CsvRecord[]): Promise<ContactImportResult> {
      const staff = requireRole(principal, 'admin');
      checkHeader(columns);
      const errors: Array<{ line: number; message: string }> = [];
      const good: Array<{ line: number; parsed: ParsedLine }> = [];
      for (const record of records) {
        const parsed = record.width > columns.length ? `This line has ${record.width} cells; the header has ${columns.length}.` : parseLine(record.cells);
        if (typeof parsed === 'string') errors.push({ line: record.line, message: parsed });
        else good.push({ line: record.line, parsed });
      }
      const labelIds = await labelsByName(staff.shopId, new Set(good.flatMap((g) => g.parsed.labels)));
      const lines = merged(good.map((g) => g.parsed));
      // A repeated external id counts once as made (or updated), then as updated.
      let created = 0;
      let updated = good.length - lines.length;
      for (let i = 0; i < lines.length; i += LINES_PER_BATCH) {
        const batch = lines.slice(i, i + LINES_PER_BATCH).map(({ labels, ...line }): ImportLine => ({ ...line, labelIds: labels.map((name) => labelIds.get(name)!) }));
        const made = await store.contacts.importLines(staff.shopId, batch, newId, now());
        for (const isNew of made) isNew ? created++ : updated++;
      }
      return { created, updated, errors: errors.slice(0, ERRORS_SHOWN) };
    },

    /**
     * The contacts the list's filters select, page by page (in creation order, so a contact added
     * during the export neither repeats nor shifts one), with the shop's labels and the attribute
     * keys the export's columns need (a first pass over the same pages).
     */
    async exportContacts(principal: Principal, query: Omit<ContactListQuery, 'sort' | 'order' | 'cursor' | 'limit'>) {
      const staff = requireRole(principal, 'admin');
      const filter = contactFilter(query);
      const order: ContactOrder = { sort: 'created', order: 'asc' };
      async function* pages(): AsyncGenerator<ContactRecord[]> {
        let after: ContactPosition | null = null;
        for (;;) {
          const page = await store.contacts.list(staff.shopId, filter, order, after, EXPORT_PAGE);
          if (page.length > 0) yield page;
          const last = page.at(-1);
          if (page.length < EXPORT_PAGE || !last) return;
          after = { key: last.sortKey, id: last.customer.id };
        }
      }
      const keys = new Set<string>();
      for await (const page of pages()) for (const contact of page) for (const key of Object.keys(contact.attributes)) keys.add(key);
      const labels = new Map((await store.labels.list(staff.shopId)).map((l) => [l.id, l.name]));
      return { labels, attributeKeys: [...keys].sort(), pages: pages() };
    },
  };
}

type ParsedLine = Omit<ImportLine, 'labelIds'> & { readonly labels: readonly string[] };

/** One line per external id, in first-seen order: a later line wins field by field, as a second import would. */
function merged(lines: readonly ParsedLine[]): ParsedLine[] {
  const byExternal = new Map<string, ParsedLine>();
  for (const line of lines) {
    const seen = byExternal.get(line.externalId);
    byExternal.set(
      line.externalId,
      seen === undefined
        ? line
        : {
            ...seen,
            ...line,
            attributes: { ...seen.attributes, ...line.attributes },
            labels: [...new Set([...seen.labels, ...line.labels])],
            ...(line.optedOut === undefined && seen.optedOut !== undefined && { optedOut: seen.optedOut }),
          },
    );
  }
  return [...byExternal.values()];
}

function checkHeader(columns: readonly string[]): void {
  if (!columns.includes('external_id')) fail('CSV_INVALID', 'The header row has no external_id column.');
  const badKey = columns.find((c) => c.startsWith('attr.') && !attributeKey.test(c.slice(5)));
  if (badKey !== undefined) fail('CSV_INVALID', `Column "${badKey.slice(0, 60)}": an attribute key is 1-40 letters, digits, _ . or -.`);
  if (columns.filter((c) => c.startsWith('attr.')).length > limits.attributesMax) fail('CSV_INVALID', `At most ${limits.attributesMax} attr. columns.`);
}

/** A line as an import line, or why it cannot be one. Empty cells leave what is stored as it is. */
function parseLine(cells: Readonly<Record<string, string>>): ParsedLine | string {
  const cell = (name: string) => unescapeFormula((cells[name] ?? '').trim());
  const externalId = cell('external_id');
  if (externalId === '') return 'external_id is required.';
  if ([...externalId].length > EXTERNAL_ID_MAX) return `external_id is longer than ${EXTERNAL_ID_MAX} characters.`;
  const kind = cell('kind');
  if (kind !== '' && kind !== 'shop') return `Only the shop's own customers are imported; this line is a ${kind.slice(0, 20)} customer.`;
  const name = cell('name');
  if ([...name].length > limits.nameMaxChars) return `name is longer than ${limits.nameMaxChars} characters.`;
  const mail = cell('email');
  if (mail !== '' && (mail.length > 254 || !email.test(mail))) return 'email is not an e-mail address.';
  const labels = [...new Set(cell('labels').split('|').map((l) => l.trim()).filter((l) => l !== ''))];
  if (labels.some((l) => [...l].length > 50)) return 'A label name is longer than 50 characters.';
  const optedOut = parseFlag(cell('opted_out'));
  if (optedOut === null) return 'opted_out is one of true, false, yes, no, 1, 0 (or empty).';
  const attributes: Record<string, CustomerAttributes[string]> = {};
  for (const [column, value] of Object.entries(cells)) {
    if (!column.startsWith('attr.')) continue;
    const text = unescapeFormula(value.trim());
    if (text === '') continue;
    if ([...text].length > limits.attributeValueMaxChars) return `${column} is longer than ${limits.attributeValueMaxChars} characters.`;
    attributes[column.slice(5)] = attributeValue(text);
  }
  return {
    externalId,
    ...(name !== '' && { name }),
    ...(mail !== '' && { email: mail }),
    attributes,
    labels,
    ...(optedOut !== undefined && { optedOut }),
  };
}

function parseFlag(text: string): boolean | undefined | null {
  const t = text.toLowerCase();
  if (t === '') return undefined;
  if (t === 'true' || t === 'yes' || t === '1') return true;
  if (t === 'false' || t === 'no' || t === '0') return false;
  return null;
}

/** The export prefixes cells that spreadsheets would run as formulas with '; an import takes it off again. */
export function unescapeFormula(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}
