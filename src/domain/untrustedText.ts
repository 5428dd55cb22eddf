// Text from the other side (an endpoint's band label, an approver's note or name, a session tag's
// workflow, an error's detail) is data: it must never become a link, an image, markup or a terminal
// command where we show it (issue #20 findings 1, 3, 4). One function per sink, each starting from
// the same clean-up (plainText):
//
// | sink                               | function          | what could go wrong unescaped              |
// |------------------------------------|-------------------|--------------------------------------------|
// | VS Code Markdown (tooltips)        | markdownText      | [x](command:…) links, ![](https://…) images, <html>, autolinks |
// | VS Code notification messages      | notificationText  | [x](command:…) / [x](https://…) links run on one click |
// | terminals (CLI output, task pty)   | terminalText      | ESC/CSI/OSC sequences: erase lines, retitle, hyperlinks, clipboard |
// | HTML / SVG (the report webview)    | htmlText          | tags, attributes, entities                 |
//
// All of them also drop C0/C1 control characters and the Unicode bidi controls (which can make
// "Denied" read as something else, the "Trojan Source" trick), flatten line breaks to spaces, and
// cut very long text with an ellipsis. Pure functions: no vscode, no I/O.

/** Longest untrusted text shown in one place unless the caller says otherwise. */
export const DEFAULT_MAX_CHARS = 500;

// ESC-introduced sequences, removed whole (not just their ESC byte, so no "[2K" debris is left):
// CSI (ESC [ … final), OSC / DCS / SOS / PM / APC (ESC ] P X ^ _ … up to BEL or ST, or to the end if
// unterminated), and two-byte escapes (ESC + one byte). The 8-bit C1 forms (0x9b CSI, 0x9d OSC, …)
// likewise.
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\s\S]?/g;
// Line breaks and tabs become a space; every other C0/C1 control goes, with DEL.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi embeddings, overrides, isolates and marks; zero-width space and no-break (BOM) used to hide
// or split words. ZWJ/ZWNJ stay: emoji and several scripts need them.
const INVISIBLE = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** The shared clean-up: no escape sequences, controls, bidi or zero-width tricks; one line; at most `max` characters. */
export function plainText(text: unknown, max = DEFAULT_MAX_CHARS): string {
  const cleaned = String(text ?? '')
    .replace(ESCAPE_SEQUENCES, '')
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '')
    .replace(INVISIBLE, '')
    .replace(/ {2,}/g, ' ');
  return clip(cleaned, max);
}

/** Cut to `max` characters (code points, so no half surrogate pair), ending with "…" when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * For a VS Code MarkdownString: every ASCII punctuation character is backslash-escaped (CommonMark
 * allows exactly these), so no link, image, emphasis, HTML, entity, `$(icon)` or table syntax
 * survives, and `:` and `@` are escaped too, which stops GFM autolinks (https://…, www.…, a@b.c).
 */
export function markdownText(text: unknown, max = DEFAULT_MAX_CHARS): string {
  return plainText(text, max).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * For vscode.window.show*Message: notifications are plain text except for `[label](target)` links,
 * which they render and run (command: URIs with their JSON arguments). Backslashes are not honoured
 * there, so the link syntax is broken instead: `](` becomes `] (`, which no link matches.
 */
export function notificationText(text: unknown, max = DEFAULT_MAX_CHARS): string {
  return plainText(text, max).replace(/\]\s*\(/g, '] (');
}

/** For a terminal (stdout of the CLI, the task pseudo-terminal): no escape sequence can reach it. */
export function terminalText(text: unknown, max = DEFAULT_MAX_CHARS): string {
  return plainText(text, max);
}

/** For HTML or SVG element content and quoted attribute values (the report webview). */
export function htmlText(text: unknown, max = DEFAULT_MAX_CHARS): string {
  return plainText(text, max).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
