import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ContactImportResultSchema, ContactListQuerySchema } from '@frontdesk/protocol/schemas';
import { AppError } from '../../domain/errors.ts';
import { IMPORT_COLUMNS, type CsvRecord } from '../../domain/contacts/contact-import.ts';
import type { ContactRecord } from '../../domain/contacts/ports.ts';
import type { Services } from '../../domain/services.ts';
import { principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

/** An import file's bound: some 50,000 lines of a typical export. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
const security = [{ bearer: [] }];
const tags = ['contacts'];
const ExportQuery = Type.Omit(ContactListQuerySchema, ['sort', 'order', 'cursor', 'limit'], { additionalProperties: false });
/** Read back by nothing: what the export tells besides the importable columns. */
const EXPORT_EXTRA = ['customer_id', 'kind', 'channel', 'last_seen_at', 'created_at'] as const;

/**
 * Contacts as CSV (docs/contacts.md#import-and-export), read and written by csv-parse and
 * csv-stringify. The domain checks the lines and decides; this file only translates.
 */
export function contactTransferRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    // Only here, and only as text: everything else of the API stays JSON.
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_MAX_BYTES }, (_request, body, done) => done(null, body));

    app.post(
      '/contacts/import',
      {
        bodyLimit: IMPORT_MAX_BYTES,
        schema: {
          tags,
          summary: 'Import contacts from CSV (owner, admin); running the same file again changes nothing',
          description:
            'Body: `text/csv`, UTF-8, at most 5 MiB, a header row first. Columns: `external_id` (required), `name`, `email`, ' +
            '`labels` (names separated by `|`; unknown ones are created), `opted_out` (true/false), `attr.<key>`. Empty cells ' +
            'leave stored values alone. Makes shop customers and their contacts (no conversation); bad lines are reported by number.',
          consumes: ['text/csv'],
          security,
          response: { 200: ContactImportResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        if (typeof request.body !== 'string' || !/^text\/csv\b/i.test(request.headers['content-type'] ?? '')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file with Content-Type: text/csv.');
        }
        const { columns, records } = readCsv(request.body);
        return services.contactTransfer.importCsv(principal, columns, records);
      },
    );

    app.get<{ Querystring: Static<typeof ExportQuery> }>(
      '/contacts/export',
      {
        schema: {
          tags,
          summary: 'Export the contacts the filters select as CSV (owner, admin)',
          description:
            'The list’s filters; streamed in creation order. The columns an import reads come first, then ' +
            '`customer_id`, `kind`, `channel`, `last_seen_at` and `created_at` (ignored by an import). Cells that a ' +
            'spreadsheet would run as a formula (starting with = + - @) are prefixed with \'; an import takes it off.',
          security,
          querystring: ExportQuery,
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { labels, attributeKeys, pages } = await services.contactTransfer.exportContacts(principalOf(request), request.query);
        const header = [...IMPORT_COLUMNS, ...attributeKeys.map((k) => `attr.${k}`), ...EXPORT_EXTRA];
        const line = (c: ContactRecord) => [
          c.customer.externalId ?? '',
          c.customer.name ?? '',
          c.customer.email ?? '',
          c.labelIds.map((id) => labels.get(id) ?? '').filter((n) => n !== '').join('|'),
          c.optedOutAt === null ? 'false' : 'true',
          ...attributeKeys.map((k) => (c.attributes[k] === undefined ? '' : String(c.attributes[k]))),
          c.customer.id,
          c.customer.kind,
          c.channel,
          c.lastSeenAt === null ? '' : new Date(c.lastSeenAt).toISOString(),
          new Date(c.createdAt).toISOString(),
        ];
        async function* csv() {
          yield stringify([header]);
          for await (const page of pages) yield stringify(page.map((c) => line(c).map(neutralise)));
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="contacts.csv"')
          .send(Readable.from(csv()));
      },
    );
  };
}

/** OWASP's CSV injection advice: a cell a spreadsheet would evaluate starts with ' instead. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The header's names and each data line's cells by name; a file csv-parse cannot read is CSV_INVALID. */
function readCsv(text: string): { columns: string[]; records: CsvRecord[] } {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (error) {
    throw new AppError('CSV_INVALID', `The CSV cannot be read: ${(error as Error).message.slice(0, 200)}`);
  }
  const [head, ...data] = rows;
  if (!head) throw new AppError('CSV_INVALID', 'The file is empty: a header row comes first.');
  const columns = head.record.map((c) => c.trim());
  if (new Set(columns).size !== columns.length) throw new AppError('CSV_INVALID', 'The header row names a column twice.');
  const records = data.map(({ record, info }): CsvRecord => {
    const cells: Record<string, string> = {};
    columns.forEach((name, i) => {
      if (name !== '' && name !== '__proto__') cells[name] = record[i] ?? '';
    });
    return { line: info.lines, width: record.length, cells };
  });
  return { columns, records };
}
