import { availableParallelism } from "node:os"
import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesTestConfig, sharedTestConfig } from "../../vitest.shared.js"

// The files that read no process-wide state of their own worker (no metric, no TestClock after an
// `excludeTestServices` layer, no mocked module): they drive processes (the bundled service, a
// sandbox, Chromium), run the service in this process through Harness.ts or InProcess.ts without
// reading its metrics, or test one module alone. They share their workers' modules, which spares
// each the import of Effect, the platform and the sandbox (vitest.shared.ts). The others stay
// isolated (its comment says why); a new file is isolated until it is listed here.
const sharedModuleFiles = [
  "test/Explorer*.test.ts",
  "test/AbsoluteFormTargets.test.ts",
  "test/BrokenWorkingCopies.test.ts",
  "test/CallerIdentity.test.ts",
  "test/ChunkedBodyOverCap.test.ts",
  "test/Cli.test.ts",
  "test/ClientErrors.test.ts",
  "test/ClockSetBack.test.ts",
  "test/CommandLine.test.ts",
  "test/ConcurrentProvisioning.test.ts",
  "test/ConnectionCap.test.ts",
  "test/CredentialFiles.test.ts",
  "test/CredentialRotation.test.ts",
  "test/DataDirLock.test.ts",
  "test/DiffPrincipalStatus.test.ts",
  "test/EmailsInTelemetry.test.ts",
  "test/ExportProxy.test.ts",
  "test/ExtraCaCerts.test.ts",
  "test/FailedAuthentications.test.ts",
  "test/FailedStreamedAnswers.test.ts",
  "test/FileDatesUnderTimeZones.test.ts",
  "test/FullDataDir.test.ts",
  "test/IdleConnections.test.ts",
  "test/InFlightAtStop.test.ts",
  "test/KilledSync.test.ts",
  "test/LastFailedSync.test.ts",
  "test/ListenUrl.test.ts",
  "test/OlderBuildDataDir.test.ts",
  "test/OpenApiConformance.test.ts",
  "test/OpenApiErrorCodes.test.ts",
  "test/OpenFileLimit.test.ts",
  "test/OutputClosed.test.ts",
  "test/PipelinedRefusals.test.ts",
  "test/ProvisioningHangingFivetran.test.ts",
  "test/ProvisioningStop.test.ts",
  "test/QueriesPageStart.test.ts",
  "test/RateLimitLimitGauge.test.ts",
  "test/ReadinessBudget.test.ts",
  "test/ReadinessTimeout.test.ts",
  "test/ReadmeExamples.test.ts",
  "test/ReadOnlyRoot.test.ts",
  "test/RawSemicolonPaths.test.ts",
  "test/ReadOnlyTokens.test.ts",
  "test/RebuiltJobs.test.ts",
  "test/RequestBody.test.ts",
  "test/RequestFailures.test.ts",
  "test/RequestFibers.test.ts",
  "test/RequestLogErrorCodes.test.ts",
  "test/RequestTimeout.test.ts",
  "test/ResponseCache.test.ts",
  "test/RevokeConcurrency.test.ts",
  "test/RuntimeMetricsHelp.test.ts",
  "test/SecretFlags.test.ts",
  "test/SecurityHeaders.test.ts",
  "test/SettingsSources.test.ts",
  "test/SlowRequests.test.ts",
  "test/SpanHeaders.test.ts",
  "test/SpanUrls.test.ts",
  "test/StalledExports.test.ts",
  "test/StopWithWorkInFlight.test.ts",
  "test/StreamedAnswers.test.ts",
  "test/SwappedCredentials.test.ts",
  "test/SyncJobOutcomes.test.ts",
  "test/SyncWarningDetails.test.ts",
  "test/TokenCharacters.test.ts",
  "test/TokenFiles.test.ts",
  "test/UnreadBodies.test.ts",
  "test/UnservedRequests.test.ts",
  "test/Version.test.ts"
]

// The files that run the service in this process only through @effect/vitest's
// `layer(..., { excludeTestServices })`, use no TestClock and read no metric (StreamedAnswerLogs
// reads request counts through RequestRecords.ts, so it stays isolated): they share their workers'
// modules among themselves, sparing each ~3.5 s of CPU importing Effect, the platform, the sandbox
// and the service; apart from the files above, as such a layer takes TestClock away from every
// later file of its module graph.
const sharedLayerFiles = [
  "test/AbsoluteFormHosts.test.ts",
  "test/AccountRoles.test.ts",
  "test/DiffUserAttributes.test.ts",
  "test/Documents.test.ts",
  "test/EchoedIds.test.ts",
  "test/HostileInput.test.ts",
  "test/PercentEncoding.test.ts",
  "test/Provisioning.test.ts",
  "test/ProvisioningFailureLogs.test.ts",
  "test/ProvisioningLostAnswers.test.ts",
  "test/ProvisioningRaces.test.ts",
  "test/ProvisioningRateLimit.test.ts",
  "test/Queries.test.ts",
  "test/QueriesOrder.test.ts",
  "test/QueriesResourceDetails.test.ts",
  "test/RateLimitWait.test.ts",
  "test/Readiness.test.ts",
  "test/Registry.test.ts",
  "test/ResponseHeaders.test.ts",
  "test/Review.test.ts",
  "test/Schedule.test.ts",
  "test/Service.test.ts",
  "test/SharedReaderOpen.test.ts",
  "test/SyncJobLogs.test.ts",
  "test/SyncRequestCounts.test.ts",
  "test/Syncs.test.ts",
  "test/UnsentFileBodies.test.ts",
  "test/WorkingCopies.test.ts"
]

// Each project names its files: a project extending the root would add its own include to the root's.
const { include, ...rootTestConfig } = sharedTestConfig

export default defineConfig({
  test: {
    ...rootTestConfig,
    globalSetup: ["test/support/ChromiumServer.ts"],
    // Two files at once even on two cores (vitest's default there is one): most of a file's time is
    // spent waiting on the service, the sandbox or Chromium (the explorer's 5 s retries, lock
    // refreshes, request timeouts), and this suite is the last of `pnpm test` to end.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        // Last, four files at once: run alone on two cores with two workers these files used one
        // core's worth of CPU (418 s wall for 426 s of CPU), with four 310 s for 448 s (2026-12-07);
        // by then the other suites of `pnpm test` have ended. A project's own worker count needs a
        // group of its own (vitest refuses two counts in one group).
        test: {
          name: "shared-modules",
          include: sharedModuleFiles,
          isolate: sharedModulesTestConfig.isolate,
          maxWorkers: Math.max(4, availableParallelism()),
          sequence: { groupOrder: 1 }
        }
      },
      {
        extends: true,
        test: { name: "shared-layers", include: sharedLayerFiles, isolate: sharedModulesTestConfig.isolate }
      },
      {
        extends: true,
        test: { name: "isolated", include, exclude: [...configDefaults.exclude, ...sharedModuleFiles, ...sharedLayerFiles] }
      }
    ]
  }
})
