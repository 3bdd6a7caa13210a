export { run } from "./Cli.js"
export { V8Flags } from "./V8Flags.js"
