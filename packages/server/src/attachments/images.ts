import sharp from 'sharp';
import type { Metadata, OutputInfo, Sharp } from 'sharp';

/** The upload cannot be shown inline: corrupt, not the type it claims, or too many pixels. */
export class InvalidImage extends Error {
  override name = 'InvalidImage';
}

/** One encoded rendition of an image, with the size of a single frame. */
export interface ImageVariant {
  readonly data: Buffer;
  readonly mime: string;
  readonly width: number;
  readonly height: number;
}

/** What gets stored for an inline image: the cleaned original and its thumbnail. */
export interface ProcessedImage {
  readonly original: ImageVariant;
  readonly thumbnail: ImageVariant;
}

/** Limits for processImage; the defaults suit chat attachments. */
export interface ImageOptions {
  /** Largest width × height accepted (all frames together for an animation); guards against decompression bombs. */
  readonly maxPixels?: number;
  /** Longest side of the thumbnail, in pixels. */
  readonly thumbnailSize?: number;
}

type InlineFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** The libvips loader each inline image type (see inlineImageTypes in sniff.ts) must decode with. */
const formatOf: ReadonlyMap<string, InlineFormat> = new Map<string, InlineFormat>([
  ['image/png', 'png'],
  ['image/jpeg', 'jpeg'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
]);

/**
 * Re-encodes an inline image type: orientation applied, every metadata block (EXIF, GPS, XMP, ICC comments,
 * text chunks) dropped, so nothing hidden in the file survives; makes a thumbnail.
 */
export async function processImage(path: string, mime: string, options: ImageOptions = {}): Promise<ProcessedImage> {
  const format = formatOf.get(mime);
  if (format === undefined) throw new InvalidImage(`not an inline image type: ${mime}`);
  const maxPixels = options.maxPixels ?? 40_000_000;
  const thumbnailSize = options.thumbnailSize ?? 320;
  try {
    const input = { limitInputPixels: maxPixels, failOn: 'error' } as const;
    const image = sharp(path, { ...input, animated: format === 'gif' || format === 'webp' });
    const metadata = await image.metadata();
    if (metadata.format !== format) throw new InvalidImage(`${mime} declared but the data is ${metadata.format}`);
    const orient = canAutoOrient(metadata);
    const firstFrame = sharp(path, input);
    const [original, thumbnail] = await Promise.all([
      encodeOriginal(orient ? image.rotate() : image, format, mime),
      encodeThumbnail(orient ? firstFrame.rotate() : firstFrame, thumbnailSize),
    ]);
    return { original, thumbnail };
  } catch (error) {
    if (error instanceof InvalidImage) throw error;
    throw new InvalidImage(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * libvips cannot rotate a multi-page image, so an animation keeps its stored orientation (its EXIF is dropped
 * like everything else); the thumbnail follows the same rule so both renditions look alike.
 */
function canAutoOrient(metadata: Metadata): boolean {
  return (metadata.pages ?? 1) <= 1;
}

/** Same format as uploaded; sharp writes no metadata unless asked, and it is never asked here. */
async function encodeOriginal(image: Sharp, format: InlineFormat, mime: string): Promise<ImageVariant> {
  const encoded = encoderFor(image, format);
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { data, mime, ...frameSize(info) };
}

function encoderFor(image: Sharp, format: InlineFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 90 });
    case 'webp':
      return image.webp({ quality: 90 });
    case 'gif':
      return image.gif();
    case 'png':
      return image.png();
  }
}

async function encodeThumbnail(image: Sharp, size: number): Promise<ImageVariant> {
  const { data, info } = await image
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return { data, mime: 'image/webp', ...frameSize(info) };
}

/** An animation is encoded as frames stacked vertically; report the size of one frame. */
function frameSize(info: OutputInfo): { width: number; height: number } {
  return { width: info.width, height: info.pageHeight ?? info.height };
}
