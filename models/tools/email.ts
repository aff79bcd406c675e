// Email address helpers as Odoo's tools (email_normalize, parse_contact_from_email). Pure.

const EMAIL_RE = /[^\s@<>,;:"'()[\]]+@[^\s@<>,;:"'()[\]]+\.[^\s@<>,;:"'()[\]]+/;

/** Odoo's email_normalize(text, strict=False): the first address, lower-cased, else false. */
export function emailNormalize(text: unknown): string | false {
  if (typeof text !== 'string' || !text) return false;
  const m = EMAIL_RE.exec(text);
  return m ? m[0].toLowerCase() : false;
}

/** Odoo's tools.parse_contact_from_email: "Name <email>", "Name email", "email" or a name. */
export function parseContactFromEmail(text: unknown): [string, string] {
  if (typeof text !== 'string' || !text.trim()) return ['', ''];
  const angled = /^\s*"?(.*?)"?\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(text);
  if (angled) return [angled[1].trim(), emailNormalize(angled[2]) || angled[2]];
  const found = EMAIL_RE.exec(text);
  if (!found) return [text, ''];
  const name = (text.slice(0, found.index) + text.slice(found.index + found[0].length)).replace(/\s+/g, ' ').trim();
  return [name, emailNormalize(found[0]) || found[0]];
}
