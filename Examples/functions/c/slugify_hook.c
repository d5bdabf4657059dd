// A before hook on a record collection ({"type": "record", "collection": "posts", "actions": ["create",
// "update"], "when": "before"}): it runs inside the write transaction and may change or refuse the record.
//   handle   input  {"action", "collection", "record", "original", "auth"}
//            output {"record": {"slug": "hello-world"}} for the title "Hello World" (ASCII letters lower-cased,
//                   spaces -> "-"); a title that contains "spam" (in any case) is refused with
//                   {"error": {"status": 400, "message": "No spam.", "data": {"title": {"code": "spam", ...}}}};
//                   no title (or a delete): no output, the write goes on unchanged.
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool contains_spam(Span title) {
  static const char word[] = "spam";
  for (size_t i = 0; i + 4 <= title.length; i++) {
    size_t k = 0;
    while (k < 4 && lower(title.at[i + k]) == word[k]) {
      k++;
    }
    if (k == 4) {
      return true;
    }
  }
  return false;
}

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  Span action = string_member(input, "action");
  Span title = string_member(member(input, "record"), "title");
  if (span_equals(action, "delete") || span_is_none(title)) {
    return 0;  // an empty output: the write goes on as it is
  }

  if (contains_spam(title)) {
    extism_output_buf_from_sz("{\"error\": {\"status\": 400, \"message\": \"No spam.\", "
                              "\"data\": {\"title\": {\"code\": \"spam\", \"message\": \"No spam.\"}}}}");
    return 0;
  }

  char *slug = arena_take(title.length);
  for (size_t i = 0; i < title.length; i++) {
    slug[i] = title.at[i] == ' ' ? '-' : lower(title.at[i]);
  }
  Text out = text_new(title.length * 6 + 32);
  text_add(&out, "{\"record\": {\"slug\": ");
  text_string(&out, (Span){slug, title.length});
  text_add(&out, "}}");
  output_text(&out);
  return 0;
}
