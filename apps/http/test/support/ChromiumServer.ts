import { existsSync } from "node:fs"
import { chromium } from "playwright-core"
import type { TestProject } from "vitest/node"

/**
 * The suite's one headless Chromium (Debian's package, driven by playwright-core, which never
 * downloads a browser), started once by vitest's globalSetup for every file and worker: each
 * browser test connects to it and opens a context of its own (its own cookies, storage and cache).
 * A Chromium per test cost ~2 s of CPU to start, some 50 times a suite run.
 */

export const chromiumPath = "/usr/bin/chromium"

declare module "vitest" {
  export interface ProvidedContext {
    /** The Chromium's playwright endpoint; null where no Chromium is installed (its tests then fail saying so). */
    readonly chromiumEndpoint: string | null
  }
}

export default async function startChromium(project: TestProject) {
  if (!existsSync(chromiumPath)) {
    project.provide("chromiumEndpoint", null)
    return
  }
  const server = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
  project.provide("chromiumEndpoint", server.wsEndpoint())
  return () => server.close()
}
