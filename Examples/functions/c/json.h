// Just enough JSON for the freestanding examples (no libc): a bump arena in the plug-in's linear memory, a text
// builder that escapes strings, a scanner that finds an object's members and decodes strings, and the calls into
// Swiftbase's records host functions (extism:host/user records_list/get/create/update/delete).
//
// Values handed over by the host (the trigger's input, a records answer) are valid JSON, so a member's raw text
// (a Span) can be copied into an output as it is; anything else that goes into a JSON string is escaped.
#ifndef json_h
#define json_h

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extism-pdk.h"

// MARK: - The arena: memory for one call, given back all at once by arena_reset()

extern unsigned char __heap_base;
static size_t arena_top;

static inline void arena_reset(void) { arena_top = (size_t)&__heap_base; }

// `n` bytes of linear memory, grown as needed; traps when the memory cannot grow (the host's memory limit).
static inline char *arena_take(size_t n) {
  if (arena_top == 0) {
    arena_reset();
  }
  size_t start = (arena_top + 7) & ~(size_t)7;
  if (n > SIZE_MAX - start) {
    __builtin_trap();
  }
  size_t end = start + n;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have) {
    size_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) {
      __builtin_trap();
    }
  }
  arena_top = end;
  return (char *)start;
}

// MARK: - Spans: a piece of JSON text

typedef struct {
  const char *at;
  size_t length;
} Span;

#define span_none ((Span){0, 0})

static inline bool span_is_none(Span s) { return s.at == 0; }

static inline bool span_is_string(Span s) { return s.length >= 2 && s.at[0] == '"'; }

static inline bool span_is_object(Span s) { return s.length >= 2 && s.at[0] == '{'; }

static inline bool span_is_number(Span s) { return s.length > 0 && (s.at[0] == '-' || (s.at[0] >= '0' && s.at[0] <= '9')); }

static inline size_t text_length(const char *text) {
  size_t n = 0;
  while (text[n]) {
    n++;
  }
  return n;
}

static inline bool span_equals(Span s, const char *text) {
  size_t n = text_length(text);
  if (s.length != n) {
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (s.at[i] != text[i]) {
      return false;
    }
  }
  return true;
}

// The whole Extism memory block at `handle`, copied into the arena.
static inline Span span_from_handle(ExtismHandle handle) {
  size_t n = (size_t)extism_length(handle);
  char *copy = arena_take(n);
  extism_load_from_handle(handle, 0, copy, n);
  return (Span){copy, n};
}

static inline Span span_from_input(void) { return span_from_handle(extism_input_offset()); }

// MARK: - Scanning
//
// The scanner walks pointers and tests each byte as few times as it can: a plug-in runs in an interpreter, where
// every WebAssembly instruction counts, and a hook scans its whole input on every write it sees.

static inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

static inline const char *scan_space(const char *p, const char *end) {
  while (p < end && is_space(*p)) {
    p++;
  }
  return p;
}

// Just past the string whose opening quote is at `p`, or 0 when it does not end.
static inline const char *scan_string(const char *p, const char *end) {
  for (p++; p < end; p++) {
    char c = *p;
    if (c == '"') {
      return p + 1;
    }
    if (c == '\\') {
      p++;
    }
  }
  return 0;
}

// Just past the value that starts at `p` (after white space), or 0 when there is none.
static inline const char *scan_value(const char *p, const char *end) {
  p = scan_space(p, end);
  if (p >= end) {
    return 0;
  }
  char first = *p;
  if (first == '"') {
    return scan_string(p, end);
  }
  if ((first | 0x20) == '{') {  // '{' or '[' (0x5B | 0x20 is '{')
    size_t depth = 0;
    for (; p < end; p++) {
      char c = *p;
      if (c == '"') {
        p = scan_string(p, end);
        if (p == 0) {
          return 0;
        }
        p--;
      } else if ((c | 0x20) == '{') {
        depth++;
      } else if ((c | 0x20) == '}' && --depth == 0) {  // '}' or ']'
        return p + 1;
      }
    }
    return 0;
  }
  const char *start = p;  // a number, true, false or null
  while (p < end && *p != ',' && (*p | 0x20) != '}' && !is_space(*p)) {
    p++;
  }
  return p > start ? p : 0;
}

// `s` with the white space around it trimmed, when it is exactly one JSON value; else span_none.
static inline Span span_value(Span s) {
  const char *end = s.at + s.length;
  const char *start = scan_space(s.at, end);
  const char *past = scan_value(start, end);
  if (past == 0 || scan_space(past, end) != end) {
    return span_none;
  }
  return (Span){start, (size_t)(past - start)};
}

// `s` with the white space around it trimmed, not scanned: for JSON the host hands over (a trigger's input, a
// records answer), one valid value by contract. Scanning it whole first was a third of what a hook's call cost
// (slugify_hook reads a record once to find `record`, and again inside it to find `title`). Text from elsewhere
// (a request's body) goes through span_value, which checks that it is exactly one value.
static inline Span span_trim(Span s) {
  const char *end = s.at + s.length;
  const char *start = scan_space(s.at, end);
  while (end > start && is_space(end[-1])) {
    end--;
  }
  return (Span){start, (size_t)(end - start)};
}

static inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static inline uint32_t read_hex4(Span s, size_t i) {
  uint32_t value = 0;
  for (size_t k = 0; k < 4; k++) {
    int digit = i + k < s.length ? hex_digit(s.at[i + k]) : -1;
    if (digit < 0) {
      return 0xFFFD;
    }
    value = value * 16 + (uint32_t)digit;
  }
  return value;
}

// The text of the JSON string `s` (quotes included), unescaped into the arena as UTF-8; span_none if `s` is not
// a string.
static inline Span string_value(Span s) {
  if (!span_is_string(s)) {
    return span_none;
  }
  char *out = arena_take(s.length);  // unescaping never makes it longer
  size_t n = 0;
  for (size_t i = 1; i + 1 < s.length; i++) {
    char c = s.at[i];
    if (c != '\\') {
      out[n++] = c;
      continue;
    }
    c = s.at[++i];
    switch (c) {
    case 'b': out[n++] = '\b'; break;
    case 'f': out[n++] = '\f'; break;
    case 'n': out[n++] = '\n'; break;
    case 'r': out[n++] = '\r'; break;
    case 't': out[n++] = '\t'; break;
    case 'u': {
      uint32_t code = read_hex4(s, i + 1);
      i += 4;
      if (code >= 0xD800 && code < 0xDC00 && i + 6 < s.length && s.at[i + 1] == '\\' && s.at[i + 2] == 'u') {
        uint32_t low = read_hex4(s, i + 3);
        if (low >= 0xDC00 && low < 0xE000) {
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
      }
      if (code >= 0xD800 && code < 0xE000) {
        code = 0xFFFD;  // a lone surrogate
      }
      if (code < 0x80) {
        out[n++] = (char)code;
      } else if (code < 0x800) {
        out[n++] = (char)(0xC0 | (code >> 6));
        out[n++] = (char)(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out[n++] = (char)(0xE0 | (code >> 12));
        out[n++] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[n++] = (char)(0x80 | (code & 0x3F));
      } else {
        out[n++] = (char)(0xF0 | (code >> 18));
        out[n++] = (char)(0x80 | ((code >> 12) & 0x3F));
        out[n++] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[n++] = (char)(0x80 | (code & 0x3F));
      }
      break;
    }
    default: out[n++] = c; break;  // \" \\ \/
    }
  }
  return (Span){out, n};
}

// Whether the JSON string between `from` (after its opening quote) and `to` (its closing quote) is `key`. A key
// written with escapes is unescaped first; a plain one is compared where it is.
static inline bool key_equals(const char *from, const char *to, const char *key) {
  const char *p = from;
  for (; p < to && *key; p++, key++) {
    if (*p == '\\') {
      Span name = string_value((Span){from - 1, (size_t)(to - from) + 2});
      return span_equals(name, key - (p - from));
    }
    if (*p != *key) {
      return false;
    }
  }
  return p == to && *key == 0;
}

// The raw value of the member `key` of the JSON object `object`, or span_none.
static inline Span member(Span object, const char *key) {
  if (!span_is_object(object)) {
    return span_none;
  }
  const char *end = object.at + object.length;
  const char *p = scan_space(object.at + 1, end);
  while (p < end && *p == '"') {
    const char *key_end = scan_string(p, end);
    if (key_end == 0) {
      return span_none;
    }
    bool found = key_equals(p + 1, key_end - 1, key);
    p = scan_space(key_end, end);
    if (p >= end || *p != ':') {
      return span_none;
    }
    const char *value = scan_space(p + 1, end);
    const char *value_end = scan_value(value, end);
    if (value_end == 0) {
      return span_none;
    }
    if (found) {
      return (Span){value, (size_t)(value_end - value)};
    }
    p = scan_space(value_end, end);
    if (p < end && *p == ',') {
      p = scan_space(p + 1, end);
    }
  }
  return span_none;
}

// The unescaped text of the string member `key`, or span_none when it is missing or not a string.
static inline Span string_member(Span object, const char *key) { return string_value(member(object, key)); }

// MARK: - Writing

typedef struct {
  char *at;
  size_t length;
  size_t capacity;
} Text;

static inline Text text_new(size_t capacity) { return (Text){arena_take(capacity), 0, capacity}; }

// Room for `extra` more bytes: a new block twice the size when full (the old one stays in the arena). Copies go
// through __builtin_memcpy, which build.sh's -mbulk-memory makes one `memory.copy` instruction: the host runs it
// natively, where a byte loop would run a dozen interpreted instructions per byte.
static inline void text_reserve(Text *t, size_t extra) {
  if (t->capacity - t->length >= extra) {
    return;
  }
  size_t capacity = t->capacity * 2 + 64;
  if (capacity - t->length < extra) {
    capacity = t->length + extra;
  }
  char *bigger = arena_take(capacity);
  __builtin_memcpy(bigger, t->at, t->length);
  t->at = bigger;
  t->capacity = capacity;
}

static inline void text_byte(Text *t, char c) {
  text_reserve(t, 1);
  t->at[t->length++] = c;
}

// Appends `s` as it is (raw JSON, or text that needs no escaping).
static inline void text_raw(Text *t, Span s) {
  if (s.length == 0) {
    return;
  }
  text_reserve(t, s.length);
  __builtin_memcpy(t->at + t->length, s.at, s.length);
  t->length += s.length;
}

static inline void text_add(Text *t, const char *zero_terminated) {
  text_raw(t, (Span){zero_terminated, text_length(zero_terminated)});
}

static inline void text_u64(Text *t, uint64_t value) {
  char digits[20];
  size_t count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) {
    text_byte(t, digits[--count]);
  }
}

// Appends `s` as a JSON string: quotes, and escapes for quotes, backslashes and control characters.
static inline void text_string(Text *t, Span s) {
  static const char hex[] = "0123456789abcdef";
  text_byte(t, '"');
  size_t plain = 0;  // start of the run of bytes that need no escape, copied in one piece
  for (size_t i = 0; i < s.length; i++) {
    unsigned char c = (unsigned char)s.at[i];
    if (c >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    text_raw(t, (Span){s.at + plain, i - plain});
    plain = i + 1;
    if (c == '"' || c == '\\') {
      text_byte(t, '\\');
      text_byte(t, (char)c);
    } else if (c == '\n') {
      text_add(t, "\\n");
    } else if (c == '\r') {
      text_add(t, "\\r");
    } else if (c == '\t') {
      text_add(t, "\\t");
    } else {
      text_add(t, "\\u00");
      text_byte(t, hex[c >> 4]);
      text_byte(t, hex[c & 15]);
    }
  }
  text_raw(t, (Span){s.at + plain, s.length - plain});
  text_byte(t, '"');
}

static inline Span text_span(const Text *t) { return (Span){t->at, t->length}; }

static inline void output_text(const Text *t) { extism_output_buf(t->at, t->length); }

// MARK: - Config

// The plug-in's config value `key` (copied into the arena), or `fallback` when the function's config has none.
static inline Span config_or(const char *key, const char *fallback) {
  ExtismHandle value = extism_config_get_buf_from_sz(key);
  if (value == 0) {
    return (Span){fallback, text_length(fallback)};
  }
  Span found = span_from_handle(value);
  extism_free(value);
  return found;
}

// MARK: - Swiftbase's records host functions (extism:host/user)

EXTISM_IMPORT_USER("records_list") extern ExtismHandle records_list(ExtismHandle);
EXTISM_IMPORT_USER("records_get") extern ExtismHandle records_get(ExtismHandle);
EXTISM_IMPORT_USER("records_create") extern ExtismHandle records_create(ExtismHandle);
EXTISM_IMPORT_USER("records_update") extern ExtismHandle records_update(ExtismHandle);
EXTISM_IMPORT_USER("records_delete") extern ExtismHandle records_delete(ExtismHandle);

typedef ExtismHandle (*RecordsFunction)(ExtismHandle);

// Sends the JSON `request` to a records host function and answers its JSON answer ({"ok": …} or
// {"error": {"status", "message", "data"}}), both Extism blocks freed; span_none if the host answered nothing.
static inline Span records_call(RecordsFunction function, const Text *request) {
  ExtismHandle sent = extism_alloc_buf(request->at, request->length);
  ExtismHandle answer = function(sent);
  extism_free(sent);
  if (answer == 0) {
    return span_none;
  }
  Span copy = span_from_handle(answer);
  extism_free(answer);
  return copy;
}

#endif
