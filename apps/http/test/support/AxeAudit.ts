import axe from "axe-core"
import type { Page } from "playwright-core"
import { promise } from "./ExplorerBrowser.js"

/** One axe-core rule broken in one state of the page, with the elements that break it. */
export interface Violation {
  readonly state: string
  readonly rule: string
  readonly impact: string
  readonly targets: ReadonlyArray<string>
}

/** Runs axe-core (injected through the driver: the page's CSP allows its own scripts only) on the page as it is. */
export const audit = (page: Page, state: string) =>
  promise(async (): Promise<ReadonlyArray<Violation>> => {
    if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(axe.source)
    const results = await page.evaluate<axe.AxeResults>("window.axe.run(document, { resultTypes: ['violations'] })")
    return results.violations.map((violation) => ({
      state,
      rule: violation.id,
      impact: violation.impact ?? "none",
      targets: violation.nodes.map((node) => node.target.join(" "))
    }))
  })
