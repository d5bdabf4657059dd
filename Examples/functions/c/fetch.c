// An HTTP trigger that calls out with Extism's http_request: GET /api/fn/NAME?url=https://… fetches the URL
// and answers {"status": 200, "body": {"status": <the upstream status>, "body": "<its body>"}}. The host sends
// the request only to the hosts listed in the function's "allowedHosts", and never to a loopback or private
// address unless functions.allowPrivateHosts is set in /api/settings; a refused request fails the call (500).
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  Span url = string_member(member(input, "query"), "url");
  if (span_is_none(url) || url.length == 0) {
    extism_error_set_buf_from_sz("fetch needs ?url=");
    return 1;
  }

  // Extism's HttpRequest: {"url", "method", "headers"}; the body (none here) is the second argument.
  Text request = text_new(url.length + 64);
  text_add(&request, "{\"method\": \"GET\", \"url\": ");
  text_string(&request, url);
  text_add(&request, "}");
  ExtismHandle handle = extism_alloc_buf((const uint8_t *)request.at, request.length);
  ExtismHandle response = extism_http_request(handle, 0);
  int32_t status = extism_http_status_code();
  Span body = span_from_handle(response);

  Text out = text_new(body.length * 2 + 64);
  text_add(&out, "{\"status\": 200, \"body\": {\"status\": ");
  text_u64(&out, (uint64_t)status);
  text_add(&out, ", \"body\": ");
  text_string(&out, body);
  text_add(&out, "}}");
  output_text(&out);
  return 0;
}
