import { SandboxPresets } from "@baton-fivetran/settings"
import { Schema } from "effect"
import type { AccountSnapshot } from "../state/AccountSnapshot.js"
import { generate } from "./Generate.js"
import type { GeneratorOptions } from "./GeneratorOptions.js"

/** The presets the apps' `--sandbox` takes (@baton-fivetran/settings), each generated as `presets` says. */
export const PresetName = Schema.Literal(...SandboxPresets)
export type PresetName = typeof PresetName.Type

export const defaultSeed = 20240302

const typicalShares = {
  invitedShare: 0.05,
  suspendedShare: 0.04,
  serviceAccountShare: 0.02,
  noAccountRoleShare: 0.1,
  deprecatedRoleShare: 0.05
}

/**
 * Account sizes: `small` is the demo (every kind of user and role appears), `medium` a mid-size
 * company, `large` the scale the sync engine must handle in bounded memory.
 */
export const presets: Record<PresetName, Omit<GeneratorOptions, "seed">> = {
  small: {
    users: 25,
    groups: 4,
    teams: 3,
    connections: 8,
    customRoles: 3,
    groupsPerUser: { min: 0, max: 2 },
    connectionsPerUser: { min: 0, max: 1 },
    usersPerTeam: { min: 3, max: 8 },
    groupsPerTeam: { min: 1, max: 2 },
    connectionsPerTeam: { min: 0, max: 2 },
    invitedShare: 0.08,
    suspendedShare: 0.08,
    serviceAccountShare: 0.08,
    noAccountRoleShare: 0.12,
    deprecatedRoleShare: 0.15
  },
  medium: {
    users: 1_000,
    groups: 60,
    teams: 40,
    connections: 250,
    customRoles: 6,
    groupsPerUser: { min: 0, max: 3 },
    connectionsPerUser: { min: 0, max: 2 },
    usersPerTeam: { min: 4, max: 40 },
    groupsPerTeam: { min: 1, max: 3 },
    connectionsPerTeam: { min: 0, max: 4 },
    ...typicalShares
  },
  large: {
    users: 10_000,
    groups: 500,
    teams: 300,
    connections: 2_000,
    customRoles: 12,
    groupsPerUser: { min: 0, max: 3 },
    connectionsPerUser: { min: 0, max: 2 },
    usersPerTeam: { min: 5, max: 60 },
    groupsPerTeam: { min: 1, max: 4 },
    connectionsPerTeam: { min: 0, max: 6 },
    ...typicalShares
  }
}

export const generatePreset = (name: PresetName, seed: number = defaultSeed): AccountSnapshot => generate({ ...presets[name], seed })
