import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

/**
 * The run's directory for the sync files its workers share (SandboxSyncs.ts), made once by vitest's
 * globalSetup and removed with everything in it when the run ends.
 */

declare module "vitest" {
  export interface ProvidedContext {
    readonly sharedSyncDirectory: string
  }
}

export default async function makeSharedSyncDirectory(project: TestProject) {
  const directory = await mkdtemp(join(tmpdir(), "baton-cli-shared-syncs-"))
  project.provide("sharedSyncDirectory", directory)
  return () => rm(directory, { recursive: true, force: true })
}
