import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';

/** How an attachment may be presented: `image` is shown inline, `file` is only ever downloaded. */
export type AttachmentKind = 'image' | 'file';

/** Raster types shown inline (everything else is only ever downloaded). */
export const inlineImageTypes: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** What the bytes of an upload say it is; the declared Content-Type and file name are never consulted. */
export interface Sniffed {
  readonly mime: string;
  readonly kind: AttachmentKind;
}

/** How much of a file is inspected: enough for every signature and for markup near the top. */
const headSize = 64 * 1024;

/** Binary signatures that win over markup found later in the file (polyglots are neutralised by re-encoding). */
const signatureFirstTypes: ReadonlySet<string> = new Set([...inlineImageTypes, 'application/pdf']);

/** Tags that make a browser treat a document as HTML (or run something from it). */
const htmlPattern = /<(?:html|!doctype\s+html|script|iframe|body|head|object|embed)/;

/** C0 control characters other than tab, LF, FF and CR; none of them occurs in real text. */
const controlPattern = /[\x00-\x08\x0B\x0E-\x1F]/;

/** Reads at most the first 64 KiB of the file. */
export async function sniffFile(path: string): Promise<Sniffed> {
  return sniffBytes(await readHead(path));
}

/** Classifies the first bytes of a file; sniffFile uses this so the rules can be applied to any buffer. */
export async function sniffBytes(head: Uint8Array): Promise<Sniffed> {
  const detected = (await fileTypeFromBuffer(head))?.mime;
  if (detected !== undefined && signatureFirstTypes.has(detected)) return classify(detected);
  const mime = markupType(head) ?? detected ?? (isPlainText(head) ? 'text/plain' : 'application/octet-stream');
  return classify(mime);
}

function classify(mime: string): Sniffed {
  return { mime, kind: inlineImageTypes.has(mime) ? 'image' : 'file' };
}

async function readHead(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(headSize);
    let length = 0;
    while (length < headSize) {
      const { bytesRead } = await file.read(buffer, length, headSize - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

/** Markup a browser would render, checked before anything else because rendering it is the danger. */
function markupType(head: Uint8Array): string | undefined {
  const text = decodeForMarkup(head).toLowerCase();
  if (text.includes('<svg')) return 'image/svg+xml';
  if (htmlPattern.test(text)) return 'text/html';
  if (text.trimStart().startsWith('<?xml')) return 'application/xml';
  return undefined;
}

/** Decodes leniently, honouring a UTF-16 byte order mark and dropping any BOM. */
function decodeForMarkup(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(head);
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(head);
  return new TextDecoder('utf-8').decode(head);
}

/** Valid UTF-8 without control characters; `stream` tolerates a character cut off at the end of the head. */
function isPlainText(head: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return !controlPattern.test(text);
  } catch {
    return false;
  }
}
