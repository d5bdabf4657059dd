// Tiny text helpers for the freestanding examples (no libc, so no snprintf).
#ifndef format_h
#define format_h

#include <stddef.h>
#include <stdint.h>

// Copies the zero-terminated `text` to out[at...] and returns the new length.
static size_t append_text(char *out, size_t at, const char *text) {
  while (*text) {
    out[at++] = *text++;
  }
  return at;
}

// Writes `value` in decimal to out[at...] and returns the new length.
static size_t append_u64(char *out, size_t at, uint64_t value) {
  char digits[20];
  size_t count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) {
    out[at++] = digits[--count];
  }
  return at;
}

#endif
