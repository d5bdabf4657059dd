// An HTTP trigger ({"type": "http"}): answers what it was asked, so you can see the input a function gets.
//   handle   input  {"method", "path", "query", "headers", "body", "auth"} (see Docs/FunctionsAPI.md)
//            output {"status": 200, "headers": {"x-echo": "1"},
//                    "body": {"method", "path", "query", "headers", "body", "auth": null | {"kind", "id"}}}
//            and logs "echo METHOD PATH" at info level (GET /api/functions/NAME/logs shows it).
// A JSON `body` in the output is sent as JSON; "headers" become response headers. Deploy with
//   {"triggers": [{"type": "http"}]} and call ANY /api/fn/NAME/any/path?x=1.
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

// Copies the member `key` of `input` as it is (the host wrote it, so it is valid JSON), or null when missing.
static void copy_member(Text *out, Span input, const char *key) {
  Span value = member(input, key);
  text_raw(out, span_is_none(value) ? (Span){"null", 4} : value);
}

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  if (!span_is_object(input)) {
    extism_error_set_buf_from_sz("http_echo expects the JSON input of an HTTP trigger");
    return 1;
  }

  Text line = text_new(64);
  text_add(&line, "echo ");
  text_raw(&line, string_member(input, "method"));
  text_add(&line, " ");
  text_raw(&line, string_member(input, "path"));
  extism_log(line.at, line.length, ExtismLogInfo);

  Text out = text_new(input.length + 256);
  text_add(&out, "{\"status\": 200, \"headers\": {\"x-echo\": \"1\"}, \"body\": {\"method\": ");
  copy_member(&out, input, "method");
  text_add(&out, ", \"path\": ");
  copy_member(&out, input, "path");
  text_add(&out, ", \"query\": ");
  copy_member(&out, input, "query");
  text_add(&out, ", \"headers\": ");
  copy_member(&out, input, "headers");
  text_add(&out, ", \"body\": ");
  copy_member(&out, input, "body");
  text_add(&out, ", \"auth\": ");
  Span auth = member(input, "auth");
  if (span_is_object(auth)) {
    text_add(&out, "{\"kind\": ");
    copy_member(&out, auth, "kind");
    text_add(&out, ", \"id\": ");
    copy_member(&out, auth, "id");
    text_add(&out, "}");
  } else {
    text_add(&out, "null");
  }
  text_add(&out, "}}");

  output_text(&out);
  return 0;
}
