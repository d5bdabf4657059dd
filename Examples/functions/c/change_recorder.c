// An after hook ({"type": "record", "collection": "…", "when": "after"}): Swiftbase hands it every committed
// change of the collection from the change log, at least once and in `seq` order, across restarts and crashes.
//   handle   input  {"action", "collection", "record", "original": null, "auth", "seq", "actor"}
//            writes {"seq", "action", "recordId"} into the collection named by the config value "collection"
//            (default "seen") with records_create. When the host answers an error the call fails (returns 1 with
//            the host's message), and Swiftbase retries the change later: a failed change is not skipped.
// Needs an identity that may create in that collection: e.g. "runAs": "superuser", or a createRule that lets it.
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  Span seq = member(input, "seq");
  Span action = member(input, "action");
  Span record_id = member(member(input, "record"), "id");
  if (!span_is_number(seq) || !span_is_string(action) || !span_is_string(record_id)) {
    extism_error_set_buf_from_sz("change_recorder expects the input of an after hook (seq, action, record.id)");
    return 1;
  }

  // seq, action and the id are copied as the host wrote them: a number and two JSON strings.
  Text request = text_new(seq.length + action.length + record_id.length + 128);
  text_add(&request, "{\"collection\": ");
  text_string(&request, config_or("collection", "seen"));
  text_add(&request, ", \"data\": {\"seq\": ");
  text_raw(&request, seq);
  text_add(&request, ", \"action\": ");
  text_raw(&request, action);
  text_add(&request, ", \"recordId\": ");
  text_raw(&request, record_id);
  text_add(&request, "}}");

  Span answer = span_trim(records_call(records_create, &request));
  if (!span_is_none(member(answer, "ok"))) {
    return 0;
  }
  Span message = string_member(member(answer, "error"), "message");
  if (span_is_none(message)) {
    message = (Span){"records_create failed", 21};
  }
  extism_error_set_buf(message.at, message.length);
  return 1;
}
