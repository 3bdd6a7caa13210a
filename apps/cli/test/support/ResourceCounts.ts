import { openC1z } from "@baton-fivetran/c1z"
import { Effect, Stream } from "effect"

/** Resources per type in a .c1z, read back through the c1z reader. */
export const countsIn = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    return yield* reader.resources().pipe(
      Stream.runFold({} as Record<string, number>, (counts, row) => ({
        ...counts,
        [row.value.id.resourceType]: (counts[row.value.id.resourceType] ?? 0) + 1
      }))
    )
  }))
