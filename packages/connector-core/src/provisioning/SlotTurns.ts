import { Effect } from "effect"
import { RoleResourceType } from "../resources/Role.js"
import type { GrantTarget } from "./GrantTarget.js"

/**
 * One grant or revoke at a time per access slot (AccessSlot.ts: one principal's role in one
 * container), within one provisioner. Fivetran has no conditional write: a DELETE removes the
 * membership whatever its role. A revoke of `Team Member` that read that role, while a concurrent
 * grant changed it to `Team Manager`, removed the manager's membership, and both callers were told
 * they succeeded; in either order one after the other, the user ends up a Team Manager. The HTTP
 * service's concurrent requests share one provisioner, so they now take turns; separate processes
 * (CLI runs, other admins) still race, and a write that meets their change is decided again
 * (ChangedMeanwhile.ts). A slot's entry lives while an operation holds or awaits it: memory is
 * bounded by the operations in flight, and each waits at most as long as those before it, whose
 * Fivetran calls are bounded by the client's deadlines and attempts.
 */
export type SlotTurns = (target: GrantTarget) => <A, E, R>(operation: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** The slot a target's grant or revoke writes: every account role of a principal is the one slot of its account role. */
const slotOf = (target: GrantTarget): string =>
  JSON.stringify([
    target.entitlement.resourceType,
    target.entitlement.resourceType === RoleResourceType.id ? "" : target.entitlement.resourceId,
    target.principal.type,
    target.principal.id
  ])

interface Turns {
  readonly lock: Effect.Semaphore
  /** The operations holding or awaiting the lock. */
  waiting: number
}

export const makeSlotTurns = (): SlotTurns => {
  const slots = new Map<string, Turns>()
  const enter = (slot: string) =>
    Effect.sync(() => {
      const turns = slots.get(slot) ?? { lock: Effect.unsafeMakeSemaphore(1), waiting: 0 }
      turns.waiting++
      slots.set(slot, turns)
      return turns
    })
  const leave = (slot: string) => (turns: Turns) =>
    Effect.sync(() => {
      turns.waiting--
      if (turns.waiting === 0) slots.delete(slot)
    })
  return (target) => (operation) => {
    const slot = slotOf(target)
    return Effect.acquireUseRelease(enter(slot), (turns) => turns.lock.withPermits(1)(operation), leave(slot))
  }
}
