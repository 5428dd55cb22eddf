import assert from 'node:assert/strict';
import { JsonSyntaxError, lineOfPath, parseJsonWithLines } from '../../../src/domain/jsonWithLines';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonWithLines(text);
  } catch (error) {
    assert.ok(error instanceof JsonSyntaxError, String(error));
    return error;
  }
  assert.fail(`expected a syntax error for ${JSON.stringify(text)}`);
}

describe('jsonWithLines', () => {
  it('parses like JSON.parse', () => {
    const samples = [
      '{}',
      '[]',
      '0',
      '-12.5e-3',
      'true',
      'null',
      '"a \\"quoted\\" \\u00e9 \\\\ \\n string"',
      '{"a": [1, 2, {"b": null}], "c": {"d": [[], {}]}, "e": "x"}',
      ' \r\n\t{ "spaced" : [ 1 , 2 ] } \n',
    ];
    for (const text of samples) assert.deepEqual(parseJsonWithLines(text).value, JSON.parse(text), text);
  });

  it('records the line of every value by its path', () => {
    const text = [
      '{', //                                   1
      '  "currency": "USD",', //                2
      '  "bands": [', //                        3
      '    { "workflow": "deep_coding",', //    4
      '      "allocated_usd": 200 },', //       5
      '    {', //                               6
      '      "workflow": "review",', //         7
      '      "thresholds": [', //               8
      '        70,', //                         9
      '        100', //                         10
      '      ]', //                             11
      '    }', //                               12
      '  ]', //                                 13
      '}', //                                   14
    ].join('\n');
    const { lines } = parseJsonWithLines(text);
    assert.equal(lines.get(''), 1);
    assert.equal(lines.get('currency'), 2);
    assert.equal(lines.get('bands'), 3);
    assert.equal(lines.get('bands[0]'), 4);
    assert.equal(lines.get('bands[0].workflow'), 4);
    assert.equal(lines.get('bands[0].allocated_usd'), 5);
    assert.equal(lines.get('bands[1]'), 6);
    assert.equal(lines.get('bands[1].workflow'), 7);
    assert.equal(lines.get('bands[1].thresholds'), 8);
    assert.equal(lines.get('bands[1].thresholds[0]'), 9);
    assert.equal(lines.get('bands[1].thresholds[1]'), 10);
  });

  it('counts CRLF line endings once', () => {
    const { lines } = parseJsonWithLines('{\r\n  "a": 1,\r\n  "b": [\r\n    true\r\n  ]\r\n}');
    assert.equal(lines.get('a'), 2);
    assert.equal(lines.get('b[0]'), 4);
  });

  it('lineOfPath falls back to the nearest known ancestor (a missing key points at its object)', () => {
    const { lines } = parseJsonWithLines('{\n  "bands": [\n    {\n      "workflow": "x"\n    }\n  ]\n}');
    assert.equal(lineOfPath(lines, 'bands[0].allocated_usd'), 3);
    assert.equal(lineOfPath(lines, 'bands[0].workflow'), 4);
    assert.equal(lineOfPath(lines, 'bands[5].workflow'), 2);
    assert.equal(lineOfPath(lines, 'seats'), 1);
    assert.equal(lineOfPath(lines, ''), 1);
    assert.equal(lineOfPath(new Map(), 'a.b'), undefined);
    const root = parseJsonWithLines('\n\n[\n  {"a": 1}\n]').lines;
    assert.equal(lineOfPath(root, '[0].b'), 4);
  });

  it('reports syntax errors with line and column', () => {
    const trailing = syntaxError('{\n  "a": 1,\n  "b": 2,\n}');
    assert.equal(trailing.line, 4);
    assert.equal(trailing.column, 1);
    assert.match(trailing.message, /^line 4, column 1: expected a quoted property name/);

    const missingComma = syntaxError('{\n  "a": 1\n  "b": 2\n}');
    assert.equal(missingComma.line, 3);
    assert.equal(missingComma.column, 3);
    assert.match(missingComma.message, /after the value of "a"/);

    const single = syntaxError("{\n  'a': 1\n}");
    assert.equal(single.line, 2);
    assert.equal(single.column, 3);

    const bareWord = syntaxError('{"a": yes}');
    assert.equal(bareWord.line, 1);
    assert.equal(bareWord.column, 7);
    assert.match(bareWord.message, /unexpected character "y"/);

    const colon = syntaxError('{"a" 1}');
    assert.match(colon.message, /expected ':' after "a"/);

    assert.match(syntaxError('[1, 2').message, /expected ',' or '\]'/);
    assert.match(syntaxError('{"a": [1 2]}').message, /expected ',' or '\]' in a list/);
    assert.match(syntaxError('').message, /unexpected end of file/);
    assert.match(syntaxError('{"a": 1} {"b": 2}').message, /unexpected text after the end of the document/);
    assert.match(syntaxError('{"a": 01}').message, /expected ',' or '}'/);
  });

  it('refuses unterminated strings, raw newlines in strings and bad escapes', () => {
    const open = syntaxError('{\n  "a": "no end\n}');
    assert.equal(open.line, 2);
    assert.match(open.message, /unterminated string/);
    assert.match(syntaxError('"abc').message, /unterminated string/);
    assert.match(syntaxError('"abc\\').message, /unterminated string/);
    assert.match(syntaxError('"bad \\x escape"').message, /invalid string escape/);
  });

  it('a "__proto__" key is an ordinary property, as with JSON.parse', () => {
    const text = '{"__proto__": {"bands": [1]}, "a": 1}';
    const value = parseJsonWithLines(text).value as Record<string, unknown>;
    assert.deepEqual(value, JSON.parse(text));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal((value as { bands?: unknown }).bands, undefined, 'nothing is inherited from the key');
    assert.deepEqual(Object.keys(value), ['__proto__', 'a']);
  });

  it('later duplicate keys win, as with JSON.parse', () => {
    assert.deepEqual(parseJsonWithLines('{"a": 1, "a": 2}').value, { a: 2 });
  });

  it('accepts a UTF-8 byte order mark at the start (editors on Windows write one)', () => {
    const { value, lines } = parseJsonWithLines('\uFEFF{\n  "a": 1\n}');
    assert.deepEqual(value, { a: 1 });
    assert.equal(lines.get('a'), 2);
  });
});
