export * from "./model/Baton.js"
export * from "./model/SyncSink.js"
export * from "./provisioning/Provisioner.js"
export * from "./sync/SyncEngine.js"
