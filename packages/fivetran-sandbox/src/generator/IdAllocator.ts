import type { Prng } from "./Prng.js"
import { idAdjectives, idNouns } from "./Words.js"

/**
 * Hands out ids in Fivetran's `word_word` style, unique across every entity of an account.
 * A third word is added only when a few two-word draws in a row are already taken, so ids stay
 * `[a-z_]+` (never a `:`, which the baton id formats reserve).
 */
export class IdAllocator {
  private readonly taken: Set<string>

  constructor(
    private readonly prng: Prng,
    taken: Iterable<string> = []
  ) {
    this.taken = new Set(taken)
  }

  next(): string {
    for (let attempt = 0;; attempt++) {
      const adjective = this.prng.pick(idAdjectives)
      const noun = this.prng.pick(idNouns)
      if (adjective === noun) continue
      const id = attempt < 8 ? `${adjective}_${noun}` : `${adjective}_${noun}_${this.prng.pick(idNouns)}`
      if (!this.taken.has(id)) {
        this.taken.add(id)
        return id
      }
    }
  }
}
