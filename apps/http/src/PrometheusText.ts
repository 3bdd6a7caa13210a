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
  effect_fiber_lifetimes: "How long Effect fibers lived, in milliseconds as time_unit says (the Effect runtime's own " +
    "measure, for debugging it)"
}

interface Family {
  readonly type: "counter" | "gauge" | "histogram"
  readonly help: string
  readonly samples: Array<string>
}

const samplesOf = (name: string, pair: MetricPair.MetricPair.Untyped): Family | undefined => {
  const labels = pair.metricKey.tags.map((tag) => [tag.key, tag.value] as const)
  const help = pair.metricKey.description._tag === "Some" ? pair.metricKey.description.value : runtimeHelp[name] ?? name
  const state = pair.metricState
  if (MetricState.isCounterState(state)) {
    // Only an incremental counter is a Prometheus counter: one that also takes negative deltas
    // (effect_fiber_active) goes down, which Prometheus would read as a reset.
    const keyType = pair.metricKey.keyType
    const type = MetricKeyType.isCounterKey(keyType) && keyType.incremental ? "counter" : "gauge"
    return { type, help, samples: [`${name}${labelText(labels)} ${number(state.count)}`] }
  }
  if (MetricState.isGaugeState(state)) {
    return { type: "gauge", help, samples: [`${name}${labelText(labels)} ${number(state.value)}`] }
  }
  if (MetricState.isHistogramState(state)) {
    const finite = Array.from(state.buckets).filter(([bound]) => Number.isFinite(bound))
    return {
      type: "histogram",
      help,
      samples: [
        ...finite.map(([bound, count]) => `${name}_bucket${labelText([...labels, ["le", number(bound)]])} ${count}`),
        `${name}_bucket${labelText([...labels, ["le", "+Inf"]])} ${state.count}`,
        `${name}_sum${labelText(labels)} ${number(state.sum)}`,
        `${name}_count${labelText(labels)} ${state.count}`
      ]
    }
  }
  return undefined
}

const labelKey = (pair: MetricPair.MetricPair.Untyped) => pair.metricKey.tags.map((tag) => `${tag.key}=${tag.value}`).sort().join(",")

/** Renders a snapshot: families sorted by name, label sets sorted within a family. */
export const renderPrometheus = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  const ordered = [...snapshot].sort((a, b) => labelKey(a).localeCompare(labelKey(b)))
  for (const pair of ordered) {
    const name = metricName(pair.metricKey.name)
    const family = samplesOf(name, pair)
    if (family === undefined) continue
    const existing = families.get(name)
    if (existing === undefined) families.set(name, family)
    else existing.samples.push(...family.samples)
  }
  return [...families.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, family]) => [`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`, ...family.samples])
    .map((line) => `${line}\n`)
    .join("")
}

/** The current values of every metric of the process, as Prometheus text. */
export const prometheusText = Effect.map(Metric.snapshot, renderPrometheus)
