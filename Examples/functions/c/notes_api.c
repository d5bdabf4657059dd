// An HTTP trigger that is a small REST API over one collection, through Swiftbase's records host functions
// (extism:host/user records_list/get/create/update/delete). It acts as the function's identity (`runAs`; the
// caller by default), so the collection's rules decide what each caller may do.
//   GET    /       records_list   {"collection"} (+ the query's `filter` and `sort`)
//   GET    /{id}   records_get    {"collection", "id"}
//   POST   /       records_create {"collection", "data": the request body}
//   PATCH  /{id}   records_update {"collection", "id", "data": the request body}
//   DELETE /{id}   records_delete {"collection", "id"}
// The host's answer becomes the HTTP answer: {"ok": value} -> 200 with the value (204 with no body for a delete),
// {"error": {"status", "message", "data"}} -> that status with the error as the body. The collection is the config
// value "collection" (default "notes"). Deploy with {"triggers": [{"type": "http"}], "config": {"collection": "notes"}}.
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

// Answers {"status": status, "body": {"status", "message", "data": {}}} in PocketBase's error shape.
static int32_t answer_error(uint64_t status, const char *message) {
  Text out = text_new(256);
  text_add(&out, "{\"status\": ");
  text_u64(&out, status);
  text_add(&out, ", \"body\": {\"status\": ");
  text_u64(&out, status);
  text_add(&out, ", \"message\": ");
  text_string(&out, (Span){message, text_length(message)});
  text_add(&out, ", \"data\": {}}}");
  output_text(&out);
  return 0;
}

// Turns a records answer into the HTTP answer.
static int32_t answer_host(Span answer, bool deleted) {
  Span ok = member(answer, "ok");
  if (!span_is_none(ok)) {
    if (deleted) {
      extism_output_buf_from_sz("{\"status\": 204}");
      return 0;
    }
    Text out = text_new(ok.length + 32);
    text_add(&out, "{\"status\": 200, \"body\": ");
    text_raw(&out, ok);
    text_add(&out, "}");
    output_text(&out);
    return 0;
  }
  Span error = member(answer, "error");
  Span status = member(error, "status");
  if (!span_is_object(error) || !span_is_number(status)) {
    extism_error_set_buf_from_sz("the records host function answered neither ok nor error");
    return 1;
  }
  Text out = text_new(error.length + 32);
  text_add(&out, "{\"status\": ");
  text_raw(&out, status);
  text_add(&out, ", \"body\": ");
  text_raw(&out, error);
  text_add(&out, "}");
  output_text(&out);
  return 0;
}

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  Span method = string_member(input, "method");
  Span path = string_member(input, "path");
  if (span_is_none(method) || span_is_none(path)) {
    extism_error_set_buf_from_sz("notes_api expects the JSON input of an HTTP trigger");
    return 1;
  }

  // "/" or "" is the collection; "/{id}" (one segment, an optional trailing slash) is one record.
  Span id = {path.at, 0};
  size_t i = 0;
  while (i < path.length && path.at[i] == '/') {
    i++;
  }
  id.at = path.at + i;
  while (i < path.length && path.at[i] != '/') {
    i++;
    id.length++;
  }
  while (i < path.length && path.at[i] == '/') {
    i++;
  }
  if (i != path.length) {
    return answer_error(404, "The requested resource wasn't found.");
  }
  bool one = id.length > 0;

  RecordsFunction function = 0;
  if (span_equals(method, "GET")) {
    function = one ? records_get : records_list;
  } else if (span_equals(method, "POST") && !one) {
    function = records_create;
  } else if (span_equals(method, "PATCH") && one) {
    function = records_update;
  } else if (span_equals(method, "DELETE") && one) {
    function = records_delete;
  } else {
    return answer_error(405, "Method not allowed.");
  }

  Span body = span_none;
  if (function == records_create || function == records_update) {
    body = span_value(string_member(input, "body"));
    if (!span_is_object(body)) {
      return answer_error(400, "The request body must be a JSON object.");
    }
  }

  Text request = text_new(path.length * 6 + body.length + 256);
  text_add(&request, "{\"collection\": ");
  text_string(&request, config_or("collection", "notes"));
  if (one) {
    text_add(&request, ", \"id\": ");
    text_string(&request, id);
  }
  if (!span_is_none(body)) {
    text_add(&request, ", \"data\": ");
    text_raw(&request, body);
  }
  if (function == records_list) {
    Span query = member(input, "query");
    Span filter = string_member(query, "filter");
    Span sort = string_member(query, "sort");
    if (!span_is_none(filter)) {
      text_add(&request, ", \"filter\": ");
      text_string(&request, filter);
    }
    if (!span_is_none(sort)) {
      text_add(&request, ", \"sort\": ");
      text_string(&request, sort);
    }
  }
  text_add(&request, "}");

  Span answer = span_trim(records_call(function, &request));
  if (!span_is_object(answer)) {
    extism_error_set_buf_from_sz("the records host function answered no JSON object");
    return 1;
  }
  return answer_host(answer, function == records_delete);
}
