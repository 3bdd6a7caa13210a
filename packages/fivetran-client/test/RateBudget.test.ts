import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { type BudgetObservation, budgetWaitFor, RateBudget } from "../src/index.js"

/** Limit 10 per 10 s window, as the sandbox announces a shortened window. */
const seen = (remaining: number): Option.Option<BudgetObservation> => Option.some({ limit: 10, remaining, windowSeconds: Option.some(10) })

/** Sends one request at `at` (seconds) and records its answer at the same time. */
const request = (budget: RateBudget, at: number, remaining: number) => {
  const seq = budget.send()
  budget.observe(seq, at * 1000, seen(remaining))
  return seq
}

describe("RateBudget", () => {
  it("knows nothing and holds nothing back before the first answer with headers", () => {
    const budget = new RateBudget(20)
    assert.strictEqual(budget.waitMillis(0), 0)
    budget.observe(budget.send(), 0, Option.none())
    assert.strictEqual(budget.waitMillis(0), 0)
    assert.deepStrictEqual(budget.status(0), {
      limit: Option.none(),
      remaining: Option.none(),
      lowestRemaining: Option.none(),
      reserve: Option.none(),
      windowSeconds: 3600,
      ownFreeing: Option.some({ count: 1, firstMillis: 3_600_000, lastMillis: 3_600_000 })
    })
  })

  it("spends down to the reserve, then waits for its own oldest request to leave the window", () => {
    const budget = new RateBudget(20)
    for (let t = 0; t <= 6; t++) request(budget, t, 9 - t)
    // 3 left, reserve 2: one more request may go, leaving exactly the reserve.
    assert.strictEqual(budget.waitMillis(6_000), 0)
    request(budget, 7, 2)
    assert.deepStrictEqual(budget.status(7_000), {
      limit: Option.some(10),
      remaining: Option.some(2),
      lowestRemaining: Option.some(2),
      reserve: Option.some(2),
      windowSeconds: 10,
      // Answered at 0 s to 7 s, they leave the window at 10 s to 17 s.
      ownFreeing: Option.some({ count: 8, firstMillis: 3_000, lastMillis: 10_000 })
    })
    // The request sent at 0 s leaves the window at 10 s.
    assert.strictEqual(budget.waitMillis(7_000), 3_000)
    assert.strictEqual(budget.waitMillis(10_000), 0)
    assert.deepStrictEqual(budget.estimate(10_000), Option.some(3))
  })

  it("counts requests in flight, and another tool's spending shows in the next answer", () => {
    const budget = new RateBudget(20)
    request(budget, 0, 5)
    budget.send()
    budget.send()
    // 5 - 2 in flight = 3 > 2: one more fits; after it, none.
    assert.strictEqual(budget.waitMillis(1_000), 0)
    const third = budget.send()
    assert.isTrue(budget.waitMillis(1_000) > 0)
    // Its answer says other callers spent 2 meanwhile: 5 - 3 - 2 = 0 left.
    budget.observe(third, 2_000, seen(0))
    assert.deepStrictEqual(budget.status(2_000).lowestRemaining, Option.some(0))
    // Deficit 3; ours leave at 10 s (the first) and 12 s (the third), the two in flight never: wait for the window.
    assert.strictEqual(budget.waitMillis(2_000), 10_000)
    // A whole window after the latest answer everything it counted has gone; only ours still in it count.
    assert.deepStrictEqual(budget.estimate(12_000), Option.some(10 - 2))
  })

  it("a refused request (429) does not count; the lowest remaining is what the refusal said, if anything", () => {
    const budget = new RateBudget(0)
    request(budget, 0, 4)
    budget.refused(budget.send(), Option.none())
    assert.deepStrictEqual(budget.estimate(1_000), Option.some(4))
    assert.deepStrictEqual(budget.status(1_000).lowestRemaining, Option.some(4))
    budget.refused(budget.send(), Option.some(3))
    assert.deepStrictEqual(budget.estimate(1_000), Option.some(4))
    assert.deepStrictEqual(budget.status(1_000).lowestRemaining, Option.some(3))
    budget.refused(budget.send(), Option.some(0))
    assert.deepStrictEqual(budget.status(1_000).lowestRemaining, Option.some(0))
  })

  it("with no reserve, spends the budget to zero", () => {
    const budget = new RateBudget(0)
    request(budget, 0, 1)
    assert.strictEqual(budget.waitMillis(0), 0)
    request(budget, 0, 0)
    assert.strictEqual(budget.waitMillis(0), 10_000)
  })
})

/**
 * The estimate by its definition, over every request ever sent: the latest answer's remaining,
 * minus ours after it still in the window, plus ours before it that left the window since.
 */
const definedEstimate = (
  sent: ReadonlyArray<{ readonly seq: number; readonly at: number }>,
  latest: { readonly seq: number; readonly at: number; readonly remaining: number },
  now: number,
  window: number
) => {
  const live = (at: number) => at > now - window
  if (now >= latest.at + window) return 10 - sent.filter((s) => live(s.at)).length
  return sent.reduce(
    (estimate, s) =>
      estimate - (s.seq > latest.seq && live(s.at) ? 1 : 0) +
      (s.seq <= latest.seq && s.at > latest.at - window && !live(s.at) ? 1 : 0),
    latest.remaining
  )
}

describe("RateBudget estimate", () => {
  it("equals its definition after every step of 40 seeded runs of sends, answers, refusals and time passing", () => {
    for (let seed = 1; seed <= 40; seed++) {
      let state = seed
      const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
      const budget = new RateBudget(20)
      const sent: Array<{ seq: number; at: number }> = []
      let latest: { seq: number; at: number; remaining: number } | undefined
      let now = 0
      for (let step = 0; step < 400; step++) {
        const r = random()
        const inFlight = sent.filter((s) => s.at === Number.POSITIVE_INFINITY)
        if (r < 0.4) sent.push({ seq: budget.send(), at: Number.POSITIVE_INFINITY })
        else if (r < 0.75 && inFlight.length > 0) {
          const answered = inFlight[Math.floor(random() * inFlight.length)]!
          answered.at = now
          const remaining = Math.floor(random() * 10)
          const headers = random() < 0.8
          budget.observe(answered.seq, now, headers ? seen(remaining) : Option.none())
          if (headers && (latest === undefined || latest.seq <= answered.seq)) latest = { seq: answered.seq, at: now, remaining }
        } else if (r < 0.8 && inFlight.length > 0) {
          const refused = inFlight[Math.floor(random() * inFlight.length)]!
          budget.refused(refused.seq, Option.some(0))
          sent.splice(sent.indexOf(refused), 1)
        } else now += Math.floor(random() * 3_000)
        const expected = latest === undefined ? Option.none() : Option.some(definedEstimate(sent, latest, now, 10_000))
        assert.deepStrictEqual(budget.estimate(now), expected, `seed ${seed}, step ${step}`)
      }
    }
  })
})

describe("budgetWaitFor", () => {
  const status = {
    limit: Option.some(20_000),
    remaining: Option.some(5_000),
    reserve: Option.some(4_000),
    lowestRemaining: Option.none(),
    windowSeconds: 3600,
    ownFreeing: Option.none()
  }
  it("is 0 while the requests fit above the reserve, then the share of a window the rest needs", () => {
    assert.deepStrictEqual(budgetWaitFor(status, 1_000), Option.some(0))
    assert.deepStrictEqual(budgetWaitFor(status, 9_000), Option.some(1_800_000))
    assert.deepStrictEqual(budgetWaitFor({ ...status, limit: Option.none() }, 10), Option.none())
  })

  it("waits for this client's own requests to leave the window: a burst frees together, a window after it", () => {
    // 14 requests answered within the last half second of a 30 s window: 6 left, 4 in reserve.
    const burst = {
      ...status,
      limit: Option.some(20),
      remaining: Option.some(6),
      reserve: Option.some(4),
      windowSeconds: 30,
      ownFreeing: Option.some({ count: 14, firstMillis: 29_500, lastMillis: 30_000 })
    }
    assert.deepStrictEqual(budgetWaitFor(burst, 2), Option.some(0))
    // 12 more than fit: the 12th of the 14 to leave, ~29.93 s from now (the spread-over-the-window reading said 22.5 s).
    assert.deepStrictEqual(budgetWaitFor(burst, 14), Option.some(29_929))
    // Past the 14: the last of them, then the rest at 16 a window.
    assert.deepStrictEqual(budgetWaitFor(burst, 34), Option.some(30_000 + 18 / 16 * 30_000))
  })
})
