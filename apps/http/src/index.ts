export { AuthenticationLive, type ServiceTokens, TokenCheck, tokenMatches } from "./Auth.js"
export { DataDirInUse, DataDirLock, DataDirLockFailed, DataDirLockLost } from "./DataDirLock.js"
export { ApiLive, makeServer } from "./Http.js"
export { Queries } from "./Queries.js"
export {
  DefaultKeepSyncs,
  DefaultMaxBodyBytes,
  DefaultMaxConcurrentExports,
  DefaultMaxProvisioningWaitMillis,
  ServiceConfig,
  type ServiceConfigShape
} from "./ServiceConfig.js"
export { SyncJobs } from "./SyncJobs.js"
