import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { type BudgetObservation, budgetWaitFor, RateBudget } from "../src/index.js"

/** Limit 10 per 10 s window, as the sandbox announces a shortened window. */
const seen = (remaining: number): Option.Option<BudgetObservation> =>
  Option.some({ limit: 10, remaining, windowSeconds: Option.some(10) })

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
      windowSeconds: 3600
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
      windowSeconds: 10
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

  it("a refused request (429) does not count and marks the lowest remaining 0", () => {
    const budget = new RateBudget(0)
    request(budget, 0, 4)
    const refused = budget.send()
    budget.refused(refused)
    assert.deepStrictEqual(budget.estimate(1_000), Option.some(4))
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

describe("budgetWaitFor", () => {
  const status = { limit: Option.some(20_000), remaining: Option.some(5_000), reserve: Option.some(4_000), lowestRemaining: Option.none(), windowSeconds: 3600 }
  it("is 0 while the requests fit above the reserve, then the share of a window the rest needs", () => {
    assert.deepStrictEqual(budgetWaitFor(status, 1_000), Option.some(0))
    assert.deepStrictEqual(budgetWaitFor(status, 9_000), Option.some(1_800_000))
    assert.deepStrictEqual(budgetWaitFor({ ...status, limit: Option.none() }, 10), Option.none())
  })
})
