/**
 * Something derived from a schema (an envelope around it, its compiled decoder), built once per
 * schema object. Effect compiles a decoder per schema AST, so rebuilding an envelope or a
 * `parseJson` wrapper per request recompiles it: with ~16,000 requests in a large sync, that showed.
 */
export const perSchema = <K extends object, V>(build: (key: K) => V): (key: K) => V => {
  const cache = new WeakMap<K, V>()
  return (key) => {
    const found = cache.get(key)
    if (found !== undefined) return found
    const built = build(key)
    cache.set(key, built)
    return built
  }
}
