import { BuildCommit, Version } from "@baton-fivetran/fivetran-client/version"
import { Effect, Metric } from "effect"

/**
 * `baton_build_info{version, commit} 1`, Prometheus's convention for which build a target runs: the
 * commit names the build that docs/upgrading.md's entries refer to (every build reports version
 * 0.1.0), and two values side by side show a rollout still under way.
 */
const buildInfo = Metric.gauge("baton_build_info", {
  description: "Always 1; the labels name the running build (commit: the bundle's, or unknown)"
})

export const recordBuildInfo: Effect.Effect<void> = Metric.set(
  buildInfo.pipe(Metric.tagged("version", Version), Metric.tagged("commit", BuildCommit ?? "unknown")),
  1
)
