/**
 * Encoded JSON bodies by key, bounded by their total size and by their number: once a new body
 * pushes either past its bound, the least recently used ones are dropped. A sync's file never
 * changes, so a body keyed by its sync id and request stays right for as long as it is kept.
 * Synchronous: each call runs inside one `Effect.sync`, so no other fiber sees it half-updated.
 *
 * The number is bounded because the size alone let small bodies pile up: a search that matches
 * nothing is ~60 bytes, and each distinct one (a script's, the explorer's as one types) was kept,
 * with its key, its buffer and its map entry (~500 bytes more each), so that 32 MiB of bodies held
 * ~300 MB of a long-running service's memory.
 */
export interface ResponseCache {
  readonly get: (key: string) => Uint8Array | undefined
  readonly set: (key: string, body: Uint8Array) => void
}

export const makeResponseCache = (maxBytes: number, maxEntries: number): ResponseCache => {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const bodies = new Map<string, Uint8Array>()
  let total = 0
  return {
    get: (key) => {
      const body = bodies.get(key)
      if (body !== undefined) {
        bodies.delete(key)
        bodies.set(key, body)
      }
      return body
    },
    set: (key, body) => {
      const previous = bodies.get(key)
      if (previous !== undefined) {
        bodies.delete(key)
        total -= previous.byteLength
      }
      if (body.byteLength > maxBytes) return
      bodies.set(key, body)
      total += body.byteLength
      for (const [oldest, old] of bodies) {
        if (total <= maxBytes && bodies.size <= maxEntries) break
        bodies.delete(oldest)
        total -= old.byteLength
      }
    }
  }
}
