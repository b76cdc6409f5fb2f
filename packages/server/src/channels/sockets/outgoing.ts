import type { ServerFrame } from '@frontdesk/protocol';

/**
 * A frame on its way out, serialised at most once however many connections it goes to: as JSON
 * text for /ws, as UTF-8 bytes for a goim packet body. The hub makes one per event.
 */
export class Outgoing {
  readonly frame: ServerFrame;
  #text: string | undefined;
  #bytes: Buffer | undefined;

  /** A raw push's bytes: what a goim-dialect connection receives as the packet body. */
  readonly raw: Uint8Array | undefined;

  constructor(frame: ServerFrame, raw?: Uint8Array) {
    this.frame = frame;
    this.raw = raw;
  }

  get text(): string {
    return (this.#text ??= JSON.stringify(this.frame));
  }

  get bytes(): Buffer {
    return (this.#bytes ??= Buffer.from(this.text));
  }
}
