// DOM building without innerHTML: every string becomes a text node or an attribute value, so
// task data (ids, labels, errors, output) can never turn into markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Props
 */

/**
 * @param {Element} el
 * @param {Props} props
 */
function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.replace(/^on/, ""), value);
    } else if (key === "text") {
      el.textContent = String(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/**
 * An HTML element: `h("a", { href, class: "x", onclick: fn }, "text", child)`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children.flat());
  return el;
}

/**
 * An SVG element, attributes as given.
 * @param {string} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function svg(tag, props = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setProps(el, props);
  append(el, children.flat());
  return el;
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children.flat());
}

/**
 * A JSON value, pretty-printed as text.
 * @param {unknown} value
 */
export function jsonBlock(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2) ?? "undefined");
}

/**
 * A state badge (colored by CSS).
 * @param {string} state
 */
export function stateBadge(state) {
  return h("span", { class: `badge state-${state.toLowerCase()}` }, state);
}

/**
 * A message box for empty lists and errors.
 * @param {string} text
 * @param {"info" | "error"} [kind]
 */
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}` }, text);
}
