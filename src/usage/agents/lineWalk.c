// The walks over one agent log line, compiled to WebAssembly (lineWalk.wasm, built by
// `npm run build:wasm`; lineWalker.ts loads it). `walk_claude_line` finds the members claudeLine.ts
// names in a Claude Code transcript line, `walk_codex_line` those codexLine.ts names in a Codex
// rollout line, each at its own nesting level only, and reads the token counts; everything else is
// skipped 16 bytes at a time (SIMD), without decoding. The TypeScript callers do the rest: the
// timestamp, the dedupe key, the Codex running totals, whether the line counts. JSON rules: a member
// a visitor does not read (or whose object does not walk) is skipped as a value; a string ends at the
// first quote not escaped; a token count is a whole number of at most 15 digits (null is skipped,
// anything else marks the line bad).
//
// Why WebAssembly: the same walks in JavaScript ran in V8's interpreter for most of a one-shot scan
// while TurboFan compiled them (the hot code was ready only after ~100 ms, and each parser thread
// compiled it again). This module compiles in ~2 ms and runs at full speed from the first line.
#include <wasm_simd128.h>

typedef unsigned char u8;

// What a walk found, read by lineWalker.ts at out_address(): quote positions (open, close; -1 when
// absent) relative to the line's first byte, then numbers, then flags. Each agent names its slots.
enum { QUOTES = 16, NUMBERS = 12, FLAGS = 8 };

// Claude Code
enum {
  Q_MODEL = 0,
  Q_SESSION = 2,
  Q_CWD = 4,
  Q_MESSAGE_ID = 6,
  Q_REQUEST = 8,
  Q_TIMESTAMP = 10,
  Q_INNER_TIMESTAMP = 12,
};
enum { T_INPUT, T_OUTPUT, T_CACHE_READ, T_CACHE_WRITE, T_WRITE_1H, T_WRITE_5M };
enum { F_HAS_USAGE, F_BAD, F_FAST };

// Codex: the payload's bounds are kept in a quote slot (its first byte, the index after it).
enum { CQ_TYPE = 0, CQ_TIMESTAMP = 2, CQ_PAYLOAD = 4, CQ_MODEL = 6, CQ_CWD = 8 };
enum { CN_TOTAL = 0, CN_LAST = 5 };
enum { CF_TOKEN_COUNT, CF_INFO_SEEN, CF_HAS_TOTAL, CF_HAS_LAST, CF_COUNTS_BAD, CF_KIND, CF_PAYLOAD_WALK };
// CF_KIND: the line types that matter (codexLine.ts reads session_meta with JSON.parse)
enum { KIND_NONE = -1, KIND_EVENT = 0, KIND_CONTEXT = 1, KIND_SESSION_META = 2 };

static struct {
  int quotes[QUOTES];
  double numbers[NUMBERS];
  int flags[FLAGS];
} out;

// returned by walk(): the line is a user line (its walk stopped), or malformed
#define WALK_STOP (-2)
#define MALFORMED (-1)
// returned by a visitor: the walker skips the value itself. It is MALFORMED's value: a visited object
// that does not walk is then skipped as a value, if it can be.
#define SKIP MALFORMED

// The objects whose members are visited.
enum Level {
  TOP,
  MESSAGE,
  USAGE,
  CACHE_CREATION,
  DATA,
  PROGRESS_MESSAGE,
  CODEX_TOP,
  CODEX_EVENT,
  CODEX_INFO,
  CODEX_TOTAL,
  CODEX_LAST,
  CODEX_CONTEXT,
};

static int is_ws(u8 c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

static int skip_ws(const u8 *b, int i, int end) {
  while (i < end && is_ws(b[i])) i++;
  return i;
}

// The first index in [i, end) holding one of the bytes `mask_of` marks, or -1. Reads 16 bytes at a
// time: the caller's memory holds at least 16 bytes after `end` (lineWalker.ts pads a copied line; a read buffer has the room).
#define FIND_FIRST(name, MATCH)                                             \
  static int name(const u8 *b, int i, int end) {                            \
    while (i < end) {                                                       \
      v128_t x = wasm_v128_load(b + i);                                     \
      int m = wasm_i8x16_bitmask(MATCH);                                    \
      if (m) {                                                              \
        int j = i + __builtin_ctz(m);                                       \
        return j < end ? j : -1;                                            \
      }                                                                     \
      i += 16;                                                              \
    }                                                                       \
    return -1;                                                              \
  }
#define EQ(c) wasm_i8x16_eq(x, wasm_i8x16_splat(c))
FIND_FIRST(find_quote_or_backslash, wasm_v128_or(EQ('"'), EQ('\\')))
FIND_FIRST(find_structural,
           wasm_v128_or(wasm_v128_or(EQ('"'), EQ('{')), wasm_v128_or(wasm_v128_or(EQ('}'), EQ('[')), EQ(']'))))

// `i` is at an opening quote: the index of the closing quote, or -1.
static int string_end(const u8 *b, int i, int end) {
  int q = i + 1;
  for (;;) {
    q = find_quote_or_backslash(b, q, end);
    if (q < 0) return -1;
    if (b[q] == '"') return q;
    q += 2;  // the escaped byte
  }
}

// `i` is at the first byte of a value: the index after it, or -1.
static int skip_value(const u8 *b, int i, int end) {
  u8 c = b[i];
  if (c == '"') {
    int q = string_end(b, i, end);
    return q < 0 ? -1 : q + 1;
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    for (;;) {
      i = find_structural(b, i, end);
      if (i < 0) return -1;
      u8 d = b[i];
      if (d == '"') {
        int q = string_end(b, i, end);
        if (q < 0) return -1;
        i = q + 1;
        continue;
      }
      if (d == '{' || d == '[') depth++;
      else if (--depth == 0) return i + 1;
      i++;
    }
  }
  int start = i;
  while (i < end) {
    u8 d = b[i];
    if (d == ',' || d == '}' || d == ']' || is_ws(d)) break;
    i++;
  }
  return i > start ? i : -1;
}

// A non-negative integer of at most 15 digits at `i` (no fraction or exponent), or -1.
static double read_uint(const u8 *b, int i, int end) {
  long long value = 0;
  int digits = 0;
  while (i < end && b[i] >= '0' && b[i] <= '9') {
    value = value * 10 + (b[i] - '0');
    digits++;
    i++;
  }
  if (digits == 0 || digits > 15) return -1;
  if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') return -1;
  return (double)value;
}

// Do the bytes between the quotes at `open` and `close` equal `text` (`n` bytes)?
static int text_is(const u8 *b, int open, int close, const char *text, int n) {
  if (close - open - 1 != n) return 0;
  for (int j = 0; j < n; j++)
    if (b[open + 1 + j] != (u8)text[j]) return 0;
  return 1;
}
#define IS(text) text_is(b, ko, kc, text, (int)sizeof(text) - 1)

static int walk(const u8 *b, int i, int end, enum Level level);

// The closing quote of a string value at `v`, or -1 (a non-string is left to the walker).
static int str(const u8 *b, int v, int end) { return b[v] == '"' ? string_end(b, v, end) : -1; }

// A string field kept by its quotes; the index after it, or SKIP for a non-string.
static int keep(const u8 *b, int v, int end, int slot) {
  int close = str(b, v, end);
  if (close < 0) return SKIP;
  out.quotes[slot] = v;
  out.quotes[slot + 1] = close;
  return close + 1;
}

// A top-level `type` or a `message.role`: "user" ends the walk (a user line carries no usage).
static int stop_on_user(const u8 *b, int v, int end) {
  int close = str(b, v, end);
  if (close < 0) return SKIP;
  return text_is(b, v, close, "user", 4) ? WALK_STOP : close + 1;
}

// A token count: null is skipped, anything but a whole number sets the flag `bad`.
static int count(const u8 *b, int v, int end, int slot, int bad) {
  if (b[v] == 'n') return SKIP;
  double value = read_uint(b, v, end);
  if (value < 0) out.flags[bad] = 1;
  else out.numbers[slot] = value;
  return SKIP;
}

// The Codex token counts object at `v` into numbers[first…first + 4] (zeroed first).
static int codex_counts(const u8 *b, int v, int end, int first, enum Level level) {
  for (int k = 0; k < 5; k++) out.numbers[first + k] = 0;
  return walk(b, v, end, level);
}

// A Codex usage object's member: its place among the five counts, or -1.
static int codex_count_index(const u8 *b, int ko, int kc) {
  if (IS("input_tokens")) return 0;
  if (IS("cached_input_tokens")) return 1;
  if (IS("output_tokens")) return 2;
  if (IS("reasoning_output_tokens")) return 3;
  if (IS("total_tokens")) return 4;
  return -1;
}

// The line type at `v..close` of a Codex line: KIND_*.
static int codex_kind(const u8 *b, int v, int close) {
  if (text_is(b, v, close, "event_msg", 9)) return KIND_EVENT;
  if (text_is(b, v, close, "turn_context", 12)) return KIND_CONTEXT;
  if (text_is(b, v, close, "session_meta", 12)) return KIND_SESSION_META;
  return KIND_NONE;
}

// One member of an object at `level`: the index after its value, SKIP, WALK_STOP or MALFORMED.
static int visit(const u8 *b, int ko, int kc, int v, int end, enum Level level) {
  switch (level) {
    case TOP:
      if (IS("message")) return walk(b, v, end, MESSAGE);
      if (IS("type")) return stop_on_user(b, v, end);
      // a progress line: a sub-agent's assistant message in data.message
      if (IS("data")) return b[v] == '{' ? walk(b, v, end, DATA) : SKIP;
      if (IS("timestamp")) return keep(b, v, end, Q_TIMESTAMP);
      if (IS("sessionId")) return keep(b, v, end, Q_SESSION);
      if (IS("requestId")) return keep(b, v, end, Q_REQUEST);
      if (IS("cwd")) return keep(b, v, end, Q_CWD);
      return SKIP;
    case DATA:
      if (IS("message")) return b[v] == '{' ? walk(b, v, end, PROGRESS_MESSAGE) : SKIP;
      return SKIP;
    case PROGRESS_MESSAGE:
      if (IS("message")) return b[v] == '{' ? walk(b, v, end, MESSAGE) : SKIP;
      if (IS("requestId")) return keep(b, v, end, Q_REQUEST);
      if (IS("timestamp")) return keep(b, v, end, Q_INNER_TIMESTAMP);
      return SKIP;
    case MESSAGE:
      if (IS("usage")) {
        out.flags[F_HAS_USAGE] = 1;
        return walk(b, v, end, USAGE);
      }
      if (IS("id")) return keep(b, v, end, Q_MESSAGE_ID);
      if (IS("model")) return keep(b, v, end, Q_MODEL);
      if (IS("role")) return stop_on_user(b, v, end);
      return SKIP;
    case USAGE:
      if (IS("input_tokens")) return count(b, v, end, T_INPUT, F_BAD);
      if (IS("output_tokens")) return count(b, v, end, T_OUTPUT, F_BAD);
      if (IS("cache_read_input_tokens")) return count(b, v, end, T_CACHE_READ, F_BAD);
      if (IS("cache_creation_input_tokens")) return count(b, v, end, T_CACHE_WRITE, F_BAD);
      if (IS("cache_creation")) return b[v] == '{' ? walk(b, v, end, CACHE_CREATION) : SKIP;
      if (IS("speed")) {
        int close = str(b, v, end);
        if (close < 0) return SKIP;
        out.flags[F_FAST] = text_is(b, v, close, "fast", 4);
        return close + 1;
      }
      return SKIP;
    case CACHE_CREATION:
      if (IS("ephemeral_1h_input_tokens")) return count(b, v, end, T_WRITE_1H, F_BAD);
      if (IS("ephemeral_5m_input_tokens")) return count(b, v, end, T_WRITE_5M, F_BAD);
      return SKIP;
    case CODEX_TOP:
      if (IS("type") || IS("timestamp")) {
        int close = str(b, v, end);
        if (close < 0) return SKIP;
        if (kc - ko == 5) {
          out.quotes[CQ_TYPE] = v;
          out.quotes[CQ_TYPE + 1] = close;
          // most lines are response items (whole files, command outputs): stop before their payload
          if (codex_kind(b, v, close) == KIND_NONE) return WALK_STOP;
        } else {
          out.quotes[CQ_TIMESTAMP] = v;
          out.quotes[CQ_TIMESTAMP + 1] = close;
        }
        return close + 1;
      }
      if (IS("payload")) {
        int after = skip_value(b, v, end);
        out.quotes[CQ_PAYLOAD] = v;
        out.quotes[CQ_PAYLOAD + 1] = after;
        return after;
      }
      return SKIP;
    case CODEX_EVENT:
      if (IS("type")) {
        int close = str(b, v, end);
        if (close < 0) return SKIP;
        out.flags[CF_TOKEN_COUNT] = text_is(b, v, close, "token_count", 11);
        return close + 1;
      }
      if (IS("info") && b[v] == '{') {
        out.flags[CF_INFO_SEEN] = 1;
        return walk(b, v, end, CODEX_INFO);
      }
      if (IS("model") && b[v] == '"') return keep(b, v, end, CQ_MODEL);
      return SKIP;
    case CODEX_INFO:
      if (b[v] == '{' && IS("total_token_usage")) {
        out.flags[CF_HAS_TOTAL] = 1;
        return codex_counts(b, v, end, CN_TOTAL, CODEX_TOTAL);
      }
      if (b[v] == '{' && IS("last_token_usage")) {
        out.flags[CF_HAS_LAST] = 1;
        return codex_counts(b, v, end, CN_LAST, CODEX_LAST);
      }
      if (IS("model") && b[v] == '"') return keep(b, v, end, CQ_MODEL);
      return SKIP;
    case CODEX_TOTAL:
    case CODEX_LAST: {
      int k = codex_count_index(b, ko, kc);
      if (k < 0) return SKIP;
      return count(b, v, end, (level == CODEX_TOTAL ? CN_TOTAL : CN_LAST) + k, CF_COUNTS_BAD);
    }
    case CODEX_CONTEXT:
      if ((IS("model") || IS("cwd")) && b[v] == '"') return keep(b, v, end, IS("model") ? CQ_MODEL : CQ_CWD);
      return SKIP;
  }
  return SKIP;
}

// The members of the object whose `{` is at `i`: the index after its `}`, MALFORMED or WALK_STOP.
static int walk(const u8 *b, int i, int end, enum Level level) {
  if (b[i] != '{') return MALFORMED;
  i = skip_ws(b, i + 1, end);
  if (b[i] == '}') return i + 1;
  for (;;) {
    if (b[i] != '"') return MALFORMED;
    int kc = string_end(b, i, end);
    if (kc < 0) return MALFORMED;
    int j = skip_ws(b, kc + 1, end);
    if (b[j] != ':') return MALFORMED;
    j = skip_ws(b, j + 1, end);
    if (j >= end) return MALFORMED;
    int after = visit(b, i, kc, j, end, level);
    if (after == WALK_STOP) return WALK_STOP;
    if (after == SKIP) after = skip_value(b, j, end);  // also a member that did not walk
    if (after < 0) return MALFORMED;
    i = skip_ws(b, after, end);
    if (b[i] == ',') {
      i = skip_ws(b, i + 1, end);
      continue;
    }
    if (b[i] == '}') return i + 1;
    return MALFORMED;
  }
}

static void reset(void) {
  for (int k = 0; k < QUOTES; k++) out.quotes[k] = -1;
  for (int k = 0; k < NUMBERS; k++) out.numbers[k] = 0;
  for (int k = 0; k < FLAGS; k++) out.flags[k] = 0;
}

// A Claude Code line, the `length` bytes at `line`. Returns the index after the top-level object (the
// line is whole when that is `length`), MALFORMED or WALK_STOP; the fields are at out_address().
__attribute__((export_name("walk_claude_line"))) int walk_claude_line(const u8 *line, int length) {
  reset();
  return walk(line, 0, length, TOP);
}

// A Codex rollout line: the top level as walk_claude_line, WALK_STOP at a line type that does not
// matter. For an event_msg or a turn_context whose payload is an object, the payload is walked too
// (CF_PAYLOAD_WALK: the index after it or MALFORMED); CF_KIND says which type the line has.
__attribute__((export_name("walk_codex_line"))) int walk_codex_line(const u8 *line, int length) {
  reset();
  out.flags[CF_KIND] = KIND_NONE;
  out.flags[CF_PAYLOAD_WALK] = MALFORMED;
  int walked = walk(line, 0, length, CODEX_TOP);
  if (walked < 0) return walked;
  int start = out.quotes[CQ_PAYLOAD], end = out.quotes[CQ_PAYLOAD + 1];
  if (out.quotes[CQ_TYPE] < 0 || start < 0 || line[start] != '{') return walked;
  int kind = codex_kind(line, out.quotes[CQ_TYPE], out.quotes[CQ_TYPE + 1]);
  out.flags[CF_KIND] = kind;
  if (kind == KIND_EVENT) out.flags[CF_PAYLOAD_WALK] = walk(line, start, end, CODEX_EVENT);
  else if (kind == KIND_CONTEXT) out.flags[CF_PAYLOAD_WALK] = walk(line, start, end, CODEX_CONTEXT);
  return walked;
}

__attribute__((export_name("out_address"))) void *out_address(void) { return &out; }

// Where lineWalker.ts may put lines: after the module's own data and stack, to the end of memory.
extern u8 __heap_base;
__attribute__((export_name("heap_address"))) u8 *heap_address(void) { return &__heap_base; }
