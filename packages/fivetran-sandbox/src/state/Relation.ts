/** One membership: `owner` holds `role` on `target` (e.g. user → group, team → connection). */
export interface MembershipEntry {
  readonly owner: string
  readonly target: string
  role: string
  readonly created_at: string
}

const keyOf = (owner: string, target: string) => `${owner}\u0000${target}`

const EMPTY: ReadonlyMap<string, MembershipEntry> = new Map()

/**
 * A many-to-many membership relation indexed both ways. Each entry is stored once and shared by
 * both indexes, so every view (e.g. /users/U/groups and /groups/G/users) reads the same row.
 * Maps keep insertion order, which is the order lists are served in.
 */
export class Relation {
  private readonly entries = new Map<string, MembershipEntry>()
  private readonly byOwner = new Map<string, Map<string, MembershipEntry>>()
  private readonly byTarget = new Map<string, Map<string, MembershipEntry>>()

  get(owner: string, target: string): MembershipEntry | undefined {
    return this.entries.get(keyOf(owner, target))
  }

  add(entry: MembershipEntry): void {
    this.entries.set(keyOf(entry.owner, entry.target), entry)
    index(this.byOwner, entry.owner).set(entry.target, entry)
    index(this.byTarget, entry.target).set(entry.owner, entry)
  }

  remove(owner: string, target: string): boolean {
    const removed = this.entries.delete(keyOf(owner, target))
    if (removed) {
      unindex(this.byOwner, owner, target)
      unindex(this.byTarget, target, owner)
    }
    return removed
  }

  /** The owner's memberships keyed by target, in insertion order. */
  ofOwner(owner: string): ReadonlyMap<string, MembershipEntry> {
    return this.byOwner.get(owner) ?? EMPTY
  }

  /** The target's memberships keyed by owner, in insertion order. */
  ofTarget(target: string): ReadonlyMap<string, MembershipEntry> {
    return this.byTarget.get(target) ?? EMPTY
  }

  removeOwner(owner: string): void {
    for (const target of [...this.ofOwner(owner).keys()]) this.remove(owner, target)
  }

  removeTarget(target: string): void {
    for (const owner of [...this.ofTarget(target).keys()]) this.remove(owner, target)
  }

  all(): Iterable<MembershipEntry> {
    return this.entries.values()
  }
}

const index = (maps: Map<string, Map<string, MembershipEntry>>, key: string) => {
  let inner = maps.get(key)
  if (inner === undefined) {
    inner = new Map()
    maps.set(key, inner)
  }
  return inner
}

const unindex = (maps: Map<string, Map<string, MembershipEntry>>, key: string, other: string) => {
  const inner = maps.get(key)
  if (inner === undefined) return
  inner.delete(other)
  if (inner.size === 0) maps.delete(key)
}
