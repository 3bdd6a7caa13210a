import { compareKeys } from "@baton-fivetran/connector-core"
import { Effect, Metric, MetricKeyType, type MetricPair, MetricState } from "effect"

/**
 * The process's Effect metrics in the Prometheus text exposition format (version 0.0.4): one
 * HELP and TYPE per name, one sample per label set, histograms as cumulative `_bucket`s with
 * `_sum` and `_count`. Summaries and frequencies are not used by this service and are left out.
 */

export const PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_")

const number = (value: number | bigint) =>
  typeof value === "bigint"
    ? value.toString()
    : Number.isNaN(value)
    ? "NaN"
    : value === Infinity
    ? "+Inf"
    : value === -Infinity
    ? "-Inf"
    : String(value)

const labelText = (labels: ReadonlyArray<readonly [string, string]>) =>
  labels.length === 0
    ? ""
    : `{${labels.map(([key, value]) => `${metricName(key)}="${escapeLabel(value)}"`).join(",")}}`

/**
 * Prometheus' naming rules, which Effect's own runtime metrics do not follow: a counter's name ends
 * in `_total` (`effect_fiber_started` was served without it, and an OTLP pipeline's Prometheus
 * exporter adds it, so the two names differed), and a time is in seconds, its unit in its name (an
 * Effect timer, `effect_fiber_lifetimes`, is in milliseconds with a `time_unit` label: served as
 * `effect_fiber_lifetimes_seconds`, without the label, its bounds and sum divided by 1000).
 */
const counterName = (name: string) => name.endsWith("_total") ? name : `${name}_total`

const isMillisecondTimer = (labels: ReadonlyArray<readonly [string, string]>) =>
  labels.some(([key, value]) => key === "time_unit" && value === "milliseconds")

/**
 * Effect's own runtime metrics carry no description, so their HELP repeated their name
 * (`# HELP effect_fiber_failures effect_fiber_failures`), and an operator could take a count of
 * fibers ending in any failure, the ones the service handles itself included, for errors.
 */
const runtimeHelp: Readonly<Record<string, string>> = {
  effect_fiber_started: "Effect fibers started (the Effect runtime's own count, for debugging it; not requests or syncs)",
  effect_fiber_active: "Effect fibers running now (the Effect runtime's own count, for debugging it)",
  effect_fiber_successes: "Effect fibers that ended in a success (the Effect runtime's own count, for debugging it)",
  effect_fiber_failures: "Effect fibers that ended in a failure, failures the service handles itself included (a retried " +
    "request, a lost race): not an error count; alert on http_server_requests_total and baton_sync_duration_seconds",
  effect_fiber_lifetimes: "How long Effect fibers lived, in seconds (the Effect runtime's own measure, for debugging it)"
}

interface Family {
  /** The name served, after Prometheus' naming rules. */
  readonly name: string
  readonly type: "counter" | "gauge" | "histogram"
  readonly help: string
  readonly samples: Array<string>
}

const samplesOf = (effectName: string, pair: MetricPair.MetricPair.Untyped): Family | undefined => {
  const tags = pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const)
  const help = pair.metricKey.description._tag === "Some" ? pair.metricKey.description.value : runtimeHelp[effectName] ?? effectName
  const state = pair.metricState
  if (MetricState.isCounterState(state)) {
    // Only an incremental counter is a Prometheus counter: one that also takes negative deltas
    // (effect_fiber_active) goes down, which Prometheus would read as a reset.
    const keyType = pair.metricKey.keyType
    const counter = MetricKeyType.isCounterKey(keyType) && keyType.incremental
    const name = counter ? counterName(effectName) : effectName
    return { name, type: counter ? "counter" : "gauge", help, samples: [`${name}${labelText(tags)} ${number(state.count)}`] }
  }
  if (MetricState.isGaugeState(state)) {
    return { name: effectName, type: "gauge", help, samples: [`${effectName}${labelText(tags)} ${number(state.value)}`] }
  }
  if (MetricState.isHistogramState(state)) {
    const inMilliseconds = isMillisecondTimer(tags)
    const name = inMilliseconds ? `${effectName}_seconds` : effectName
    const labels = inMilliseconds ? tags.filter(([key]) => key !== "time_unit") : tags
    const unit = inMilliseconds ? 1000 : 1
    const finite = Array.from(state.buckets).filter(([bound]) => Number.isFinite(bound)).map(([bound, count]) =>
      [bound / unit, count] as const
    )
    return {
      name,
      type: "histogram",
      help,
      samples: [
        ...finite.map(([bound, count]) => `${name}_bucket${labelText([...labels, ["le", number(bound)]])} ${count}`),
        `${name}_bucket${labelText([...labels, ["le", "+Inf"]])} ${state.count}`,
        `${name}_sum${labelText(labels)} ${number(state.sum / unit)}`,
        `${name}_count${labelText(labels)} ${state.count}`
      ]
    }
  }
  return undefined
}

const labelKey = (pair: MetricPair.MetricPair.Untyped) => pair.metricKey.tags.map((tag) => `${tag.key}=${tag.value}`).sort().join(",")

/**
 * Renders a snapshot: families sorted by name, label sets sorted within a family, both in code point
 * order: `localeCompare` followed LANG/LC_ALL (under tr_TR `I` sorts apart from `i`, and ICU puts
 * `_OTHER` before `GET`), so the exposition's order changed with the host's locale.
 */
export const renderPrometheus = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  const ordered = [...snapshot].sort((a, b) => compareKeys(labelKey(a), labelKey(b)))
  for (const pair of ordered) {
    const family = samplesOf(metricName(pair.metricKey.name), pair)
    if (family === undefined) continue
    const existing = families.get(family.name)
    if (existing === undefined) families.set(family.name, family)
    else existing.samples.push(...family.samples)
  }
  return [...families.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .flatMap(([name, family]) => [`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`, ...family.samples])
    .map((line) => `${line}\n`)
    .join("")
}

/** The current values of every metric of the process, as Prometheus text. */
export const prometheusText = Effect.map(Metric.snapshot, renderPrometheus)
