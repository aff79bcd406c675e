import { expect } from 'chai';
import {
  isDynamicTemplate,
  parseInlineTemplate,
  renderInlineTemplate,
  templatePaths,
} from '../../models/tools/inline_template.ts';
import { UserError } from '../../models/orm/exceptions.ts';

// One record as a resolver sees it: field paths → values, as the ORM would read them.
function resolverFor(record: Record<string, unknown>, calls: string[] = []) {
  return (path: string[]): unknown => {
    const key = path.join('.');
    calls.push(key);
    return key in record ? record[key] : false;
  };
}

function render(text: string, record: Record<string, unknown>): string {
  return renderInlineTemplate(parseInlineTemplate(text), resolverFor(record));
}

function syntaxError(text: string): string {
  try {
    parseInlineTemplate(text);
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error(`expected a UserError for ${text}`);
}

describe('tools/inline_template', () => {
  describe('parseInlineTemplate', () => {
    it('splits text and placeholders', () => {
      expect(parseInlineTemplate('Hello {{ object.partner_id.name or "Customer" }}!')).to.deep.equal([
        { type: 'text', text: 'Hello ' },
        {
          type: 'placeholder',
          expression: 'object.partner_id.name or "Customer"',
          operands: [
            { kind: 'path', path: ['partner_id', 'name'] },
            { kind: 'literal', value: 'Customer' },
          ],
          default: '',
        },
        { type: 'text', text: '!' },
      ]);
    });
    it('keeps plain text as one part and an empty text as none', () => {
      expect(parseInlineTemplate('No placeholder {here}')).to.deep.equal([{ type: 'text', text: 'No placeholder {here}' }]);
      expect(parseInlineTemplate('')).to.deep.equal([]);
      expect(isDynamicTemplate(parseInlineTemplate('plain'))).to.equal(false);
      expect(isDynamicTemplate(parseInlineTemplate('{{ object.name }}'))).to.equal(true);
    });
    it('reads the ||| default as raw text', () => {
      const [part] = parseInlineTemplate('{{ object.name ||| Dear customer}}');
      expect(part).to.include({ type: 'placeholder', default: 'Dear customer' });
    });
    it('parses numbers, escapes and Python constants', () => {
      const [part] = parseInlineTemplate("{{ object.qty or -1.5 or 'it\\'s' or None or True }}");
      expect(part).to.have.property('operands').that.deep.equals([
        { kind: 'path', path: ['qty'] },
        { kind: 'literal', value: -1.5 },
        { kind: 'literal', value: "it's" },
        { kind: 'literal', value: null },
        { kind: 'literal', value: true },
      ]);
    });
    it('leaves unclosed or multi-line braces as text and drops blank holes', () => {
      expect(parseInlineTemplate('a {{ object.name')).to.deep.equal([{ type: 'text', text: 'a {{ object.name' }]);
      expect(parseInlineTemplate('a {{ object.\nname }}')).to.deep.equal([{ type: 'text', text: 'a {{ object.\nname }}' }]);
      expect(render('a{{  }}b', {})).to.equal('ab');
    });
    it('rejects what the grammar does not allow, naming the expression', () => {
      expect(syntaxError('Hi {{ object. }}')).to.equal(
        'Invalid inline template expression "{{ object. }}": expected a field name after "." but found end of expression.',
      );
      expect(syntaxError('{{ object.name | upper }}')).to.match(/"\{\{ object.name \| upper \}\}".*unexpected character "\|"/);
      expect(syntaxError('{{ user.name }}')).to.match(/"\{\{ user.name \}\}".*found "user"/);
      expect(syntaxError('{{ format_date(object.date) }}')).to.match(/format_date/);
      expect(syntaxError("{{ object.name or 'x }}")).to.match(/unterminated string/);
      expect(syntaxError('{{ object.name and object.email }}')).to.match(/expected "or" or end of expression but found "and"/);
      expect(syntaxError('{{ object }}')).to.match(/must be followed by a field name/);
      expect(syntaxError('{{ object.__class__ }}')).to.match(/forbidden attribute/);
      expect(syntaxError('{{ object.or }}')).to.match(/expected a field name/);
      expect(syntaxError('{{ object.name or }}')).to.match(/found end of expression/);
    });
  });

  describe('templatePaths', () => {
    it('lists distinct paths without object, in order', () => {
      const parts = parseInlineTemplate(
        '{{ object.name or object.email or "" }} / {{ object.partner_id.name }} / {{ object.name }}',
      );
      expect(templatePaths(parts)).to.deep.equal([['name'], ['email'], ['partner_id', 'name']]);
    });
  });

  describe('renderInlineTemplate', () => {
    it('renders fields and keeps surrounding text verbatim', () => {
      expect(render('Hi {{ object.name }}, see  {{object.city}}.\n', { name: 'Ann', city: 'Liège' })).to.equal(
        'Hi Ann, see  Liège.\n',
      );
    });
    it('takes the first truthy operand of an or-chain', () => {
      const text = "{{ object.name or object.email or 'Customer' }}";
      expect(render(text, { name: 'Ann', email: 'a@x' })).to.equal('Ann');
      expect(render(text, { name: '', email: 'a@x' })).to.equal('a@x');
      expect(render(text, { name: false, email: false })).to.equal('Customer');
      expect(render('{{ object.name or object.email or "" }}', {})).to.equal('');
    });
    it('does not resolve operands after the first truthy one', () => {
      const calls: string[] = [];
      renderInlineTemplate(parseInlineTemplate('{{ object.name or object.email }}'), resolverFor({ name: 'Ann' }, calls));
      expect(calls).to.deep.equal(['name']);
    });
    it('treats Python falsy values as empty: False, None, "", 0, []', () => {
      for (const value of [false, null, undefined, '', 0, []]) {
        expect(render('[{{ object.x }}]', { x: value })).to.equal('[]');
        expect(render("[{{ object.x or 'n/a' }}]", { x: value })).to.equal('[n/a]');
      }
    });
    it('uses the ||| default when the expression has no value', () => {
      expect(render('Dear {{ object.name ||| customer}}', { name: false })).to.equal('Dear customer');
      expect(render('Dear {{ object.name ||| customer}}', { name: 'Ann' })).to.equal('Dear Ann');
    });
    it('renders many2one pairs by name, numbers and booleans like Python', () => {
      expect(render('{{ object.partner_id }}', { partner_id: [7, 'Azure Interior'] })).to.equal('Azure Interior');
      expect(render('{{ object.partner_id.name }}', { 'partner_id.name': 'Azure' })).to.equal('Azure');
      expect(render('{{ object.qty }}/{{ object.price }}', { qty: 3, price: 9.5 })).to.equal('3/9.5');
      expect(render('{{ object.active }}', { active: true })).to.equal('True');
      expect(render('{{ object.tag_ids }}', { tag_ids: [[1, 'VIP'], [2, 'New']] })).to.equal('VIP, New');
      expect(render('{{ object.x or 42 }}', {})).to.equal('42');
    });
    it('renders literals with quotes of either kind', () => {
      expect(render(`{{ object.x or "double 'q'" }}|{{ object.x or 'single "q"' }}`, {})).to.equal(
        `double 'q'|single "q"`,
      );
    });
  });
});
