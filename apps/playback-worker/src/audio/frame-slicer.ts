/** Telnyx plays RTP-sized frames: 20 ms, the packet time every G.711 endpoint expects. */
export const FRAME_MS = 20;
/** 20 ms at 8 kHz, one byte per G.711 sample. */
export const G711_FRAME_BYTES = 160;

/**
 * Cuts a byte stream into frames of exactly `frameBytes`, whatever the chunk sizes. Frames that lie
 * inside one chunk are zero-copy views of it (`subarray`); only a frame straddling two chunks is copied,
 * so the per-frame cost is one Buffer view. The remainder waits for the next chunk; `flush()` pads the
 * final partial frame with the codec's silence byte, so the stream ends on a whole frame.
 */
export class FrameSlicer {
  /** Bytes of an incomplete frame carried to the next chunk (only the first `carried` are valid). */
  private readonly carry: Buffer;
  private carried = 0;

  constructor(
    private readonly silenceByte: number,
    readonly frameBytes = G711_FRAME_BYTES,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be > 0, got ${frameBytes}`);
    this.carry = Buffer.alloc(frameBytes);
  }

  /** Bytes waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.carried;
  }

  /** Whole frames now available, in order. The caller must not modify `chunk` afterwards. */
  push(chunk: Uint8Array, out: Buffer[] = []): Buffer[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    if (this.carried > 0) {
      const take = Math.min(this.frameBytes - this.carried, bytes.length);
      bytes.copy(this.carry, this.carried, 0, take);
      this.carried += take;
      offset = take;
      if (this.carried < this.frameBytes) return out;
      out.push(Buffer.from(this.carry)); // a copy: `carry` is reused for the next remainder
      this.carried = 0;
    }
    const end = bytes.length - ((bytes.length - offset) % this.frameBytes);
    for (; offset < end; offset += this.frameBytes) out.push(bytes.subarray(offset, offset + this.frameBytes));
    if (offset < bytes.length) {
      bytes.copy(this.carry, 0, offset);
      this.carried = bytes.length - offset;
    }
    return out;
  }

  /** The last partial frame padded with silence, or undefined when the stream ended on a frame edge. */
  flush(): Buffer | undefined {
    if (this.carried === 0) return undefined;
    const frame = Buffer.alloc(this.frameBytes, this.silenceByte);
    this.carry.copy(frame, 0, 0, this.carried);
    this.carried = 0;
    return frame;
  }

  /** Drops the partial frame (barge-in). */
  reset(): void {
    this.carried = 0;
  }
}
