/**
 * Encoded JSON bodies by key, bounded by their total size: once a new body pushes the total past
 * `maxBytes`, the least recently used ones are dropped. A sync's file never changes, so a body
 * keyed by its sync id and request stays right for as long as it is kept. Synchronous: each call
 * runs inside one `Effect.sync`, so no other fiber sees it half-updated.
 */
export interface ResponseCache {
  readonly get: (key: string) => Uint8Array | undefined
  readonly set: (key: string, body: Uint8Array) => void
}

export const makeResponseCache = (maxBytes: number): ResponseCache => {
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
        if (total <= maxBytes) break
        bodies.delete(oldest)
        total -= old.byteLength
      }
    }
  }
}
