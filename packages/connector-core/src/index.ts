export * from "./model/Baton.js"
export * from "./model/SyncSink.js"
