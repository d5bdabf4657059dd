// Config, vars, logging and errors through the C PDK:
//   greet     "Hello, <input>!" with the "greeting" config value in place of "Hello"; counts calls in the var
//             "calls" and logs each greeting at info level. An empty input is refused with an error.
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "format.h"

static uint64_t calls_so_far(void) {
  ExtismHandle value = extism_var_get_buf_from_sz("calls");
  if (value == 0) {
    return 0;
  }
  uint64_t calls = 0;
  if (!extism_load_from_handle(value, 0, &calls, sizeof calls)) {
    calls = 0;
  }
  extism_free(value);
  return calls;
}

int32_t EXTISM_EXPORTED_FUNCTION(greet) {
  uint64_t length = extism_input_length();
  if (length == 0) {
    extism_error_set_buf_from_sz("greet needs a name");
    return 1;
  }
  if (length > 200) {
    extism_error_set_buf_from_sz("that name is too long");
    return 1;
  }
  char name[201];
  if (!extism_load_input(0, name, length)) {
    extism_error_set_buf_from_sz("cannot read the input");
    return 1;
  }

  char out[400];
  size_t n = 0;
  ExtismHandle greeting = extism_config_get_buf_from_sz("greeting");
  if (greeting != 0 && extism_length(greeting) < 100) {
    n = extism_length(greeting);
    extism_load_from_handle(greeting, 0, out, n);
    extism_free(greeting);
  } else {
    n = append_text(out, 0, "Hello");
  }
  n = append_text(out, n, ", ");
  for (uint64_t i = 0; i < length; i++) {
    out[n++] = name[i];
  }
  n = append_text(out, n, "!");

  uint64_t calls = calls_so_far() + 1;
  ExtismHandle stored = extism_alloc_buf(&calls, sizeof calls);
  extism_var_set_buf_from_sz("calls", stored);

  char line[64];
  size_t m = append_text(line, 0, "greeting number ");
  m = append_u64(line, m, calls);
  extism_log(line, m, ExtismLogInfo);

  extism_output_buf(out, n);
  return 0;
}
