// Extism's classic example, with the C PDK: counts the vowels of the input and answers {"count": N}.
// Freestanding (no libc): build with Examples/functions/build.sh.
#define EXTISM_ENABLE_LOW_LEVEL_API
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "format.h"

int32_t EXTISM_EXPORTED_FUNCTION(count_vowels) {
  uint64_t count = 0;
  uint64_t length = extism_input_length();
  for (uint64_t i = 0; i < length; i++) {
    uint8_t ch = extism_input_load_u8(i);
    count += (ch == 'A') + (ch == 'a') + (ch == 'E') + (ch == 'e') + (ch == 'I') + (ch == 'i') +
             (ch == 'O') + (ch == 'o') + (ch == 'U') + (ch == 'u');
  }

  char out[64];
  size_t n = append_text(out, 0, "{\"count\": ");
  n = append_u64(out, n, count);
  n = append_text(out, n, "}");

  extism_output_buf(out, n);
  return 0;
}
