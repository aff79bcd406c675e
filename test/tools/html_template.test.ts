// The HTML template renderer of views/: escaping, blocks, layout.

import { expect } from 'chai';
import { escapeHtml, renderTemplate } from '../../models/tools/html_template.ts';

describe('tools: HTML templates (views/)', () => {
  it('escapes every value it prints', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).to.equal('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const html = renderTemplate('mass_mailing_sms/blacklist_main.html', {
      title: '<t>', mailing_id: 1, trace_code: '"><script>', sms_number: '<b>', csrf_token: 'tok', unsubscribe_error: 'Oops & <i>',
    });
    expect(html).to.include('<title>&lt;t&gt;</title>');
    expect(html).to.include('action="/sms/1/&quot;&gt;&lt;script&gt;"');
    expect(html).to.include('There was an error when trying to unsubscribe <strong>&lt;b&gt;</strong>');
    expect(html).to.include('<p>Oops &amp; &lt;i&gt;</p>');
    expect(html).not.to.match(/<script|<b>|<i>/);
  });

  it('if / elif / else and loops; missing and false values print nothing', () => {
    const render = (values: Record<string, unknown>) => renderTemplate('mass_mailing_sms/blacklist_number.html', { title: 'x', ...values });
    const lists = render({ sms_number: '+1', lists_optout: ['A', 'B<'], blacklisted: false });
    expect(lists).to.include('has been successfully removed from').and.include('<li><strong>A</strong></li><li><strong>B&lt;</strong></li>');
    expect(render({ sms_number: '+1', lists_optout: [], blacklisted: true })).to.include('<strong>+1</strong> has been successfully blacklisted');
    expect(render({ sms_number: false, lists_optout: [] })).to.include('<strong></strong> is not subscribed');
  });

  it('refuses template names outside views/', () => {
    expect(() => renderTemplate('../package.json', {})).to.throw('bad template name');
    expect(() => renderTemplate('/etc/passwd', {})).to.throw('bad template name');
  });
});
