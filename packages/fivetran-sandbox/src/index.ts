export * from "./state/AccountSnapshot.js"
