// JSON.parse that remembers where each value stands, so an error in a hand-written file can name its
// line: `config.json line 7, bands[1].allocated_usd: expected a number`.

export interface JsonLocated {
  value: unknown;
  /** line (1-based) of the value at a path, keyed by formatted path (`bands[1].allocated_usd`) */
  lines: Map<string, number>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJsonWithLines(text: string): JsonLocated {
  const lines = new Map<string, number>();
  // a UTF-8 byte order mark (Notepad writes one) is not content
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = pos;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, line, pos - lineStart + 1);
  };
  const skip = () => {
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\n') {
        line++;
        pos++;
        lineStart = pos;
      } else if (ch === ' ' || ch === '\t' || ch === '\r') pos++;
      else break;
    }
  };
  const join = (path: string, key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

  const parseString = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\') pos++;
      if (text[pos] === '\n') fail('unterminated string');
      pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail('invalid string escape');
    }
  };

  const parseValue = (path: string): unknown => {
    skip();
    lines.set(path, line);
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      skip();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[pos] !== '"') fail(`expected a quoted property name`);
        const key = parseString();
        skip();
        if (text[pos] !== ':') fail(`expected ':' after "${key}"`);
        pos++;
        // defineProperty, not assignment: a "__proto__" key must be a plain property (as in JSON.parse),
        // not replace the object's prototype and smuggle inherited values past validation
        Object.defineProperty(obj, key, {
          value: parseValue(join(path, key)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail(`expected ',' or '}' after the value of "${key}"`);
      }
    }
    if (ch === '[') {
      pos++;
      const arr: unknown[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(join(path, arr.length)));
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail(`expected ',' or ']' in a list`);
      }
    }
    if (ch === '"') return parseString();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos, pos + 400));
    if (!literal)
      return fail(pos >= text.length ? 'unexpected end of file' : `unexpected character ${JSON.stringify(ch)}`);
    pos += literal[0].length;
    return JSON.parse(literal[0]) as unknown;
  };

  const value = parseValue('');
  skip();
  if (pos < text.length) fail('unexpected text after the end of the document');
  return { value, lines };
}

/** The line of the deepest known ancestor of `path` (an error about a missing key points at its object). */
export function lineOfPath(lines: Map<string, number>, path: string): number | undefined {
  let p = path;
  for (;;) {
    const found = lines.get(p);
    if (found !== undefined) return found;
    if (p === '') return undefined;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
}
