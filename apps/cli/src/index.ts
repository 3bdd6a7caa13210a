export { run } from "./Cli.js"
