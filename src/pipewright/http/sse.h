// A parser for text/event-stream (Server-Sent Events, WHATWG HTML §9.2.6): bytes in any
// chunking, events out. Lines end in CRLF, LF or CR (a CR at the end of one chunk and
// an LF at the start of the next are one line end); `:` lines are comments; fields
// `data` (several lines joined with '\n'), `event`, `id` (kept across events, as the
// Last-Event-ID of a reconnection) and `retry` (milliseconds); other fields are ignored.
// An event is dispatched at a blank line; one left unfinished when a stream ends is
// dropped, as browsers drop it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pipewright/util/error.h"

namespace pipewright::http {

struct SseEvent {
  std::string id;                 // the last id seen on the stream ('' when none yet)
  std::string event = "message";  // the `event:` field, "message" by default
  std::string data;               // the `data:` lines joined with '\n'
};

// What the consumer of events wants next.
enum class SseFlow { more, stop };

class SseParser {
 public:
  // A line or an event's data beyond this many bytes fails the stream (a server that
  // never ends a line must not exhaust memory).
  static constexpr size_t k_max_event_bytes = 16 * 1024 * 1024;

  // Parses `bytes`, calling `on_event` for each complete event. Returns SseFlow::stop as
  // soon as `on_event` returns false (later bytes of the chunk are not parsed). Fails
  // when a line or an event grows past k_max_event_bytes.
  util::Expected<SseFlow> feed(std::string_view bytes,
                               const std::function<bool(const SseEvent&)>& on_event);

  // Starts a new connection's stream: drops a partial line and event, expects an
  // optional byte-order mark again; keeps the last event id and retry.
  void restart();

  // The id to send as Last-Event-ID when reconnecting ('' when none was seen).
  const std::string& last_event_id() const { return m_last_id; }
  // The reconnection delay the server asked for with `retry:`, if any.
  std::optional<std::chrono::milliseconds> retry() const { return m_retry; }

 private:
  // Handles one complete line; false when the consumer asked to stop.
  bool line(std::string_view text, const std::function<bool(const SseEvent&)>& on_event);
  void field(std::string_view name, std::string_view value);

  std::string m_line;        // the current, unfinished line
  bool m_after_cr = false;   // the previous byte was a CR (an LF next is part of it)
  bool m_at_start = true;    // nothing parsed yet on this connection (for the BOM)
  std::string m_bom_bytes;   // a possible BOM split over chunks
  std::string m_data;        // data lines of the current event, each followed by '\n'
  std::string m_event_type;  // '' means "message"
  std::string m_last_id;
  std::optional<std::chrono::milliseconds> m_retry;
};

}  // namespace pipewright::http
