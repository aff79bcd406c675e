// View architectures (Odoo's `arch`): parse, apply an inheriting view's spec to its parent
// (xpath / element locators with position before, after, inside, replace, attributes), list
// the fields an arch names, and serialize. Pure: no database, no registry.

import { DOMParser, XMLSerializer, onErrorStopParsing, type Document, type Element, type Node } from '@xmldom/xmldom';
import xpath from 'xpath';

export type ArchElement = Element;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Raised when an arch cannot be parsed or an inheritance spec does not apply (Odoo: ValueError at install). */
export class ArchError extends Error {}

/** The root element of `xml`; an arch that is not well-formed XML raises ArchError. */
export function parseArch(xml: string): Element {
  let doc: Document;
  try {
    doc = new DOMParser({ onError: onErrorStopParsing }).parseFromString(xml.trim(), 'text/xml');
  } catch (e) {
    throw new ArchError(`Invalid XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const root = doc.documentElement;
  if (!root) throw new ArchError('Invalid XML: no root element');
  return root;
}

export function serializeArch(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

/** Every element under `root` (root included), document order. */
export function descendants(root: Element): Element[] {
  const out: Element[] = [root];
  for (const c of childElements(root)) out.push(...descendants(c));
  return out;
}

/** A short text for the spec node in error messages, like Odoo's `<xpath expr="...">`. */
function describe(spec: Element): string {
  const attrs = Array.from({ length: spec.attributes.length }, (_, i) => spec.attributes.item(i)!)
    .filter((a) => a.name !== 'position')
    .map((a) => ` ${a.name}="${a.value}"`).join('');
  return `<${spec.tagName}${attrs}>`;
}

/** The node of `arch` a spec node designates: its xpath, a field by name, or the first element with its tag and attributes. */
function locate(arch: Element, spec: Element): Element | null {
  if (spec.tagName === 'xpath') {
    const found = xpath.select(spec.getAttribute('expr') ?? '', arch as unknown as globalThis.Node);
    const nodes = Array.isArray(found) ? found : [];
    const first = nodes.find((n) => n.nodeType === ELEMENT_NODE);
    return (first as unknown as Element) ?? null;
  }
  if (spec.tagName === 'field') {
    const name = spec.getAttribute('name');
    return descendants(arch).find((n) => n.tagName === 'field' && n.getAttribute('name') === name) ?? null;
  }
  const attrs = Array.from({ length: spec.attributes.length }, (_, i) => spec.attributes.item(i)!)
    .filter((a) => a.name !== 'position' && a.name !== 'version');
  return descendants(arch).find((n) => n.tagName === spec.tagName && attrs.every((a) => n.getAttribute(a.name) === a.value)) ?? null;
}

/** Children of a spec node, cloned into `doc` (text between elements kept). */
function contentOf(spec: Element, doc: Document): Node[] {
  const out: Node[] = [];
  for (let c = spec.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE || (c.nodeType === TEXT_NODE && c.nodeValue?.trim())) out.push(doc.importNode(c, true));
  }
  return out;
}

function applyAttributes(target: Element, spec: Element): void {
  for (const a of childElements(spec)) {
    if (a.tagName !== 'attribute') throw new ArchError(`Invalid specification ${describe(spec)}: only <attribute> elements are allowed in it`);
    const name = a.getAttribute('name');
    if (!name) throw new ArchError(`Invalid specification ${describe(spec)}: <attribute> needs a name`);
    const sep = a.getAttribute('separator') ?? ',';
    const add = a.getAttribute('add');
    const remove = a.getAttribute('remove');
    if (add !== null || remove !== null) {
      // Odoo's add/remove: edit a separated list of values in place
      const items = (target.getAttribute(name) ?? '').split(sep).map((s) => s.trim()).filter(Boolean);
      const removed = new Set((remove ?? '').split(sep).map((s) => s.trim()).filter(Boolean));
      const kept = items.filter((i) => !removed.has(i));
      for (const i of (add ?? '').split(sep).map((s) => s.trim()).filter(Boolean)) if (!kept.includes(i)) kept.push(i);
      const joined = kept.join(sep === ',' ? ',' : sep);
      if (joined) target.setAttribute(name, joined);
      else target.removeAttribute(name);
      continue;
    }
    const value = a.textContent ?? '';
    if (value) target.setAttribute(name, value);
    else target.removeAttribute(name);
  }
}

/** Apply one spec node (xpath, field, or any element locator with a position) to `arch`; returns the new root. */
function applySpec(arch: Element, spec: Element): Element {
  const doc = arch.ownerDocument!;
  const position = spec.getAttribute('position') ?? 'inside';
  const target = locate(arch, spec);
  if (!target) throw new ArchError(`Element '${describe(spec)}' cannot be located in parent view`);
  switch (position) {
    case 'inside':
      for (const n of contentOf(spec, doc)) target.appendChild(n);
      return arch;
    case 'after': {
      const next = target.nextSibling;
      for (const n of contentOf(spec, doc)) target.parentNode!.insertBefore(n, next);
      return arch;
    }
    case 'before':
      for (const n of contentOf(spec, doc)) target.parentNode!.insertBefore(n, target);
      return arch;
    case 'replace': {
      const nodes = contentOf(spec, doc);
      if (target === arch) {
        const root = nodes.find((n) => n.nodeType === ELEMENT_NODE) as Element | undefined;
        if (!root) throw new ArchError(`Invalid specification ${describe(spec)}: the root cannot be replaced by nothing`);
        doc.replaceChild(root, arch);
        return root;
      }
      for (const n of nodes) target.parentNode!.insertBefore(n, target);
      target.parentNode!.removeChild(target);
      return arch;
    }
    case 'attributes':
      applyAttributes(target, spec);
      return arch;
    default:
      throw new ArchError(`Invalid position attribute: '${position}'`);
  }
}

/**
 * `parent` with the inheritance spec `specArch` applied: a `<data>` root holds several spec
 * nodes; any other root is one spec node. `parent` is not modified.
 */
export function applyInheritance(parent: Element, specArch: Element): Element {
  let arch = parseArch(serializeArch(parent));
  const specs = specArch.tagName === 'data' ? childElements(specArch) : [specArch];
  for (const spec of specs) arch = applySpec(arch, spec);
  return arch;
}

/** A field an arch names: its model (comodel for inline sub-views) and where it sits. */
export interface NamedField {
  model: string;
  name: string;
}

/** Relational lookup the field walker needs: the comodel of `model.field`, or undefined. */
export type ComodelOf = (model: string, field: string) => string | undefined;

/**
 * Every field an arch names, with the model it belongs to: `<field name>` (inline x2many
 * sub-views name fields of the comodel), and the fields of `group_by` in filters' contexts.
 */
export function namedFields(root: Element, model: string, comodelOf: ComodelOf): NamedField[] {
  const out: NamedField[] = [];
  const walk = (node: Element, current: string): void => {
    if (node.tagName === 'field') {
      const name = node.getAttribute('name');
      if (name) out.push({ model: current, name });
      const sub = name ? comodelOf(current, name) : undefined;
      for (const c of childElements(node)) walk(c, sub ?? current);
      return;
    }
    if (node.tagName === 'filter') {
      const m = /['"]group_by['"]\s*:\s*['"]([\w.]+?)(?::\w+)?['"]/.exec(node.getAttribute('context') ?? '');
      if (m) out.push({ model: current, name: m[1] });
    }
    for (const c of childElements(node)) walk(c, current);
  };
  walk(root, model);
  return out;
}
