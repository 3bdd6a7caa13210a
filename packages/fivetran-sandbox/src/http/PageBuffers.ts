/**
 * Reused memory for the user list pages (UserJson). A large sync reads thousands of ~280 KB pages;
 * one fresh buffer each was memory outside V8's heap whose growth kept triggering collections (~20%
 * of the sandbox's busy CPU, with the marking threads' time on top). A page's memory goes back to the
 * pool only once Node has handed the whole answer to the operating system (the response's `finish`,
 * see SandboxApp): from then on nothing reads it. An answer that never finishes (its connection
 * lost) leaves its memory to the garbage collector, as does a body a fault replaced.
 */

/** Enough for the few pages in flight at a sync's concurrency; ~10 MB at most. */
const MAX_POOLED = 32
/** Memory is taken in these steps, so pages of nearby sizes share it. */
const GRANULE = 64 * 1024

const free: Array<ArrayBuffer> = []
/** The page bodies handed out and not yet returned. */
const lent = new WeakSet<Uint8Array>()

/** A buffer of exactly `length` bytes (contents undefined) for a page body. */
export const pageBuffer = (length: number): Buffer => {
  let memory: ArrayBuffer | undefined
  for (let i = free.length - 1; i >= 0; i--) {
    if (free[i]!.byteLength >= length) {
      memory = free[i]!
      free[i] = free[free.length - 1]!
      free.pop()
      break
    }
  }
  const body = Buffer.from(memory ?? new ArrayBuffer(Math.ceil(length / GRANULE) * GRANULE), 0, length)
  lent.add(body)
  return body
}

/** Whether `body` is a page buffer not yet returned. */
export const isPageBuffer = (body: Uint8Array): boolean => lent.has(body)

/** Gives back a page body no one will read again (it has been sent). */
export const returnPageBuffer = (body: Uint8Array): void => {
  if (!lent.delete(body)) return
  if (free.length < MAX_POOLED) free.push(body.buffer as ArrayBuffer)
}
