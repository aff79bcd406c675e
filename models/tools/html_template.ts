// HTML pages from the templates in `views/` (public pages such as the SMS opt-out): a small
// template language whose every `{{ value }}` is HTML-escaped, so nothing shown can inject markup.
//
//   {{ a.b }}                     escaped value (missing → empty)
//   {% if a.b %} … {% elif c %} … {% else %} … {% endif %}   truthiness as Python's (empty list/string false)
//   {% if not a %} …              negation
//   {% for x in a.list %} … {% endfor %}
//   {% include "layout/part.html" %}   another template, same values
//
// A page template starts with `{% layout "layout.html" %}`: it is rendered first, then the layout
// with the page's HTML in `{% content %}` (the one place where markup is inserted unescaped).

import { readFileSync } from 'node:fs';

// Same depth as every models/<addon>/x.ts, so the path also resolves from the esbuild bundle.
const VIEWS = new URL('../../views/', import.meta.url);

type Node =
  | { t: 'text'; s: string }
  | { t: 'var'; path: string[] }
  | { t: 'if'; branches: { cond: Cond | null; body: Node[] }[] }
  | { t: 'for'; name: string; path: string[]; body: Node[] }
  | { t: 'include'; name: string }
  | { t: 'content' };
type Cond = { not: boolean; path: string[] };
interface Template {
  layout: string | null;
  nodes: Node[];
}

export type TemplateValues = Record<string, unknown>;

const cache = new Map<string, Template>();
const TOKEN = /\{\{\s*([\w.]+)\s*\}\}|\{%\s*(.*?)\s*%\}/g;
const NAME = /^[\w.-]+(\/[\w.-]+)*\.html$/;

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function parse(source: string, file: string): Template {
  const root: Node[] = [];
  // Open blocks: the node list being filled, and the if/for node that owns it.
  const stack: { nodes: Node[]; owner: Node | null }[] = [{ nodes: root, owner: null }];
  let layout: string | null = null;
  let last = 0;
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  const cond = (expr: string): Cond => {
    const m = /^(not\s+)?([\w.]+)$/.exec(expr) ?? fail(`bad condition "${expr}"`);
    return { not: !!m[1], path: m[2].split('.') };
  };
  for (const m of source.matchAll(TOKEN)) {
    const top = stack[stack.length - 1];
    if (m.index > last) top.nodes.push({ t: 'text', s: source.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1]) {
      top.nodes.push({ t: 'var', path: m[1].split('.') });
      continue;
    }
    const [word, ...rest] = m[2].split(/\s+/);
    const arg = rest.join(' ');
    if (word === 'if') {
      const node: Node = { t: 'if', branches: [{ cond: cond(arg), body: [] }] };
      top.nodes.push(node);
      stack.push({ nodes: node.branches[0].body, owner: node });
    } else if (word === 'elif' || word === 'else') {
      const owner = top.owner;
      if (owner?.t !== 'if') fail(`{% ${word} %} outside {% if %}`);
      const branch = { cond: word === 'elif' ? cond(arg) : null, body: [] as Node[] };
      (owner as Extract<Node, { t: 'if' }>).branches.push(branch);
      top.nodes = branch.body;
    } else if (word === 'for') {
      const f = /^(\w+)\s+in\s+([\w.]+)$/.exec(arg) ?? fail(`bad loop "${arg}"`);
      const node: Node = { t: 'for', name: f[1], path: f[2].split('.'), body: [] };
      top.nodes.push(node);
      stack.push({ nodes: node.body, owner: node });
    } else if (word === 'endif' || word === 'endfor') {
      if (top.owner?.t !== word.slice(3)) fail(`unexpected {% ${word} %}`);
      stack.pop();
    } else if (word === 'include' || word === 'layout') {
      const name = /^"([^"]+)"$/.exec(arg)?.[1] ?? fail(`bad ${word} "${arg}"`);
      if (word === 'include') top.nodes.push({ t: 'include', name });
      else layout = name;
    } else if (word === 'content') {
      top.nodes.push({ t: 'content' });
    } else fail(`unknown tag {% ${m[2]} %}`);
  }
  if (stack.length > 1) fail('unclosed block');
  if (last < source.length) root.push({ t: 'text', s: source.slice(last) });
  return { layout, nodes: root };
}

function load(name: string): Template {
  if (!NAME.test(name) || name.split('/').includes('..')) throw new Error(`bad template name ${name}`);
  let tpl = cache.get(name);
  if (!tpl) {
    tpl = parse(readFileSync(new URL(name, VIEWS), 'utf8'), name);
    cache.set(name, tpl);
  }
  return tpl;
}

function lookup(scope: TemplateValues, path: string[]): unknown {
  let v: unknown = scope;
  for (const key of path) {
    if (v === null || v === undefined || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function truthy(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : !!v;
}

function renderNodes(nodes: Node[], scope: TemplateValues, content: string, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text': out.push(n.s); break;
      case 'var': {
        const v = lookup(scope, n.path);
        if (v !== undefined && v !== null && v !== false) out.push(escapeHtml(v));
        break;
      }
      case 'if': {
        const branch = n.branches.find((b) => !b.cond || truthy(lookup(scope, b.cond.path)) !== b.cond.not);
        if (branch) renderNodes(branch.body, scope, content, out);
        break;
      }
      case 'for': {
        const list = lookup(scope, n.path);
        if (Array.isArray(list)) for (const item of list) renderNodes(n.body, { ...scope, [n.name]: item }, content, out);
        break;
      }
      case 'include': renderNodes(load(n.name).nodes, scope, content, out); break;
      case 'content': out.push(content); break;
    }
  }
}

/** The HTML of template `name` (a path under views/) with `values`. */
export function renderTemplate(name: string, values: TemplateValues): string {
  const tpl = load(name);
  const out: string[] = [];
  renderNodes(tpl.nodes, values, '', out);
  if (!tpl.layout) return out.join('');
  const page: string[] = [];
  renderNodes(load(tpl.layout).nodes, values, out.join(''), page);
  return page.join('');
}

/** The bytes of a static file under views/ (the pages' own scripts), by path name. */
export function readViewFile(name: string): Buffer {
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.split('/').includes('..')) throw new Error(`bad view file name ${name}`);
  return readFileSync(new URL(name, VIEWS));
}
