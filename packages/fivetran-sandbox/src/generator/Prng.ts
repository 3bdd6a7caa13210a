/**
 * A small seeded pseudo-random generator (mulberry32). The generator must be deterministic from
 * its seed alone, so it never touches Math.random; one instance is threaded through the whole
 * generation and every draw happens in a fixed order.
 */
export class Prng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)] as A
  }

  /** One of `entries`, chosen with probability proportional to its weight. */
  weighted<A>(entries: ReadonlyArray<readonly [A, number]>): A {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
    let point = this.next() * total
    for (const [value, weight] of entries) {
      point -= weight
      if (point < 0) return value
    }
    return entries[entries.length - 1]![0]
  }

  /** `count` distinct indices of [0, size), in draw order (Floyd's algorithm: O(count)). */
  sampleIndices(size: number, count: number): Array<number> {
    const chosen = new Set<number>()
    const order: Array<number> = []
    for (let j = size - count; j < size; j++) {
      const candidate = this.int(0, j)
      const index = chosen.has(candidate) ? j : candidate
      chosen.add(index)
      order.push(index)
    }
    return order
  }

  /** Hex digits drawn from the stream, for key and secret material. */
  hex(length: number): string {
    let out = ""
    while (out.length < length) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, "0")
    return out.slice(0, length)
  }
}

/** A 32-bit seed from a string (FNV-1a), for seeding from names such as an account id. */
export const seedFromString = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
