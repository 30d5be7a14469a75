import { describe, expect, it } from '@jest/globals';
import { escapeHtml } from './escape-html.util.js';

describe('escapeHtml', () => {
  it('escapes the five characters that can open markup or close an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="alert('x')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;',
    );
  });

  it('leaves plain text alone and stringifies numbers', () => {
    expect(escapeHtml('Glow Up')).toBe('Glow Up');
    expect(escapeHtml(42)).toBe('42');
  });
});
