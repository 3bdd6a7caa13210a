/**
 * Reusable buffers that response bodies are gathered into. A large sync reads over a gigabyte of
 * group-member pages; with a fresh buffer per body, that many bytes of dead buffers piled up
 * outside the JavaScript heap, and V8 ran a full collection every ~64 MB of them (most of a
 * sync's background GC time, and the peak of its RSS). A body's bytes are only read while it is
 * being decoded, so its buffer can serve the next response after that.
 *
 * Bounded: the free buffers hold at most `keptBytes` together; a buffer given back beyond that is
 * left to the garbage collector. Enough for one page per request in flight at concurrency 32.
 */
export class BodyBuffers {
  private readonly free: Array<Buffer> = []
  private freeBytes = 0

  constructor(private readonly keptBytes = 16 * 1024 * 1024) {}

  /** A buffer of at least `size` bytes (its contents are stale): the smallest free one that fits, or a new one. */
  take(size: number): Buffer {
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      const capacity = this.free[i]!.length
      if (capacity >= size && (best === -1 || capacity < this.free[best]!.length)) best = i
    }
    if (best === -1) return Buffer.allocUnsafeSlow(roundUp(size))
    const buffer = this.free[best]!
    this.free[best] = this.free[this.free.length - 1]!
    this.free.pop()
    this.freeBytes -= buffer.length
    return buffer
  }

  /** Gives a buffer back; nothing may read or write it afterwards. */
  give(buffer: Buffer): void {
    if (this.freeBytes + buffer.length > this.keptBytes) return
    this.free.push(buffer)
    this.freeBytes += buffer.length
  }
}

const step = 64 * 1024

/** Sizes in whole 64 KiB steps, so bodies of similar size share buffers. */
const roundUp = (size: number) => Math.max(step, Math.ceil(size / step) * step)
