// A schedule ({"type": "cron", "schedule": "* * * * *"}): each run creates a record in the collection named by
// the config value "collection" (default "ticks") with the time it was scheduled for.
//   handle   input  {"schedule": "* * * * *", "scheduledAt": "2026-12-06 01:05:00.000Z"}
//            writes {"scheduledAt", "schedule"} with records_create; fails (returns 1) if the host answers an error.
// Cron functions run as a guest unless "runAs" says otherwise: give the collection a createRule of "" or deploy
// with "runAs": "superuser".
#define EXTISM_IMPLEMENTATION
#include "extism-pdk.h"

#include "json.h"

int32_t EXTISM_EXPORTED_FUNCTION(handle) {
  arena_reset();
  Span input = span_trim(span_from_input());
  Span scheduled_at = member(input, "scheduledAt");
  Span schedule = member(input, "schedule");
  if (!span_is_string(scheduled_at) || !span_is_string(schedule)) {
    extism_error_set_buf_from_sz("tick expects the input of a cron trigger (schedule, scheduledAt)");
    return 1;
  }

  Text request = text_new(scheduled_at.length + schedule.length + 128);
  text_add(&request, "{\"collection\": ");
  text_string(&request, config_or("collection", "ticks"));
  text_add(&request, ", \"data\": {\"scheduledAt\": ");
  text_raw(&request, scheduled_at);
  text_add(&request, ", \"schedule\": ");
  text_raw(&request, schedule);
  text_add(&request, "}}");

  Span answer = span_trim(records_call(records_create, &request));
  if (!span_is_none(member(answer, "ok"))) {
    extism_log_sz("tick recorded", ExtismLogInfo);
    return 0;
  }
  Span message = string_member(member(answer, "error"), "message");
  if (span_is_none(message)) {
    message = (Span){"records_create failed", 21};
  }
  extism_error_set_buf(message.at, message.length);
  return 1;
}
