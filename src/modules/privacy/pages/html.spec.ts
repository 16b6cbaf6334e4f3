import { escapeHtml, html } from './html';

describe('html', () => {
  it('should escape interpolated text', () => {
    const name = `<script>alert("x")</script> & 'friends'`;
    expect(html`<p>${name}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</p>');
  });

  it('should keep nested html fragments and lists as markup, and drop empty values', () => {
    const rows = ['a<b', 'c'].map((cell) => html`<td>${cell}</td>`);
    expect(html`<tr>${rows}${null}${undefined}${false}${0}</tr>`.value).toBe('<tr><td>a&lt;b</td><td>c</td>0</tr>');
  });

  it('should escape attribute values', () => {
    expect(html`<a title="${'" onclick="x'}">`.value).toBe('<a title="&quot; onclick=&quot;x">');
    expect(escapeHtml('plain')).toBe('plain');
  });
});
