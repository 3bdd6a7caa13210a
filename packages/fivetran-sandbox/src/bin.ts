#!/usr/bin/env node
import type { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { serveSandbox, USAGE } from "./SandboxCommand.js"

const argv = process.argv.slice(2)
const main: Effect.Effect<void, { readonly message: string }, FileSystem.FileSystem> = argv.includes("--help") || argv.includes("-h")
  ? Console.log(USAGE)
  : serveSandbox(argv)

main.pipe(
  Effect.tapError((error) => Console.error(error.message)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
