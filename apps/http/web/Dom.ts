/** A few DOM helpers: elements are built, never parsed from strings, so no value can inject markup. */

type Child = Node | string

export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  element.append(...children)
  return element
}

export const byId = <E extends HTMLElement>(id: string): E => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as E
}

/** A table with a header row; `cells` may be text or nodes (links). */
export const table = (testId: string, headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Child>>) =>
  el(
    "table",
    { "data-testid": testId },
    el("thead", {}, el("tr", {}, ...headers.map((header) => el("th", {}, header)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell)))))
  )

/** A button that looks like a link and runs `action`. */
export const link = (text: string, action: () => void, attributes: Readonly<Record<string, string>> = {}) => {
  const button = el("button", { type: "button", class: "link", ...attributes }, text)
  button.addEventListener("click", action)
  return button
}
