#include "pipewright/http/sse.h"

#include <charconv>

namespace pipewright::http {

namespace {
constexpr std::string_view k_bom = "\xEF\xBB\xBF";
}  // namespace

util::Expected<SseFlow> SseParser::feed(std::string_view bytes,
                                        const std::function<bool(const SseEvent&)>& on_event) {
  // A byte-order mark may start the stream, possibly split over chunks.
  while (m_at_start && !bytes.empty()) {
    m_bom_bytes += bytes.front();
    bytes.remove_prefix(1);
    if (m_bom_bytes == k_bom) {
      m_bom_bytes.clear();
      m_at_start = false;
    } else if (!k_bom.starts_with(m_bom_bytes)) {
      m_at_start = false;
      std::string held = std::move(m_bom_bytes);
      m_bom_bytes.clear();
      auto flow = feed(held, on_event);
      if (!flow || *flow == SseFlow::stop) return flow;
    }
  }
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\r' && c != '\n') continue;
    bool lf_after_cr = c == '\n' && m_after_cr && i == start && m_line.empty();
    m_after_cr = c == '\r';
    if (lf_after_cr) {  // the second half of a CRLF
      start = i + 1;
      continue;
    }
    m_line.append(bytes.substr(start, i - start));
    start = i + 1;
    std::string text = std::move(m_line);
    m_line.clear();
    if (!line(text, on_event)) return SseFlow::stop;
  }
  if (start < bytes.size()) {
    m_after_cr = false;
    m_line.append(bytes.substr(start));
  }
  if (m_line.size() > k_max_event_bytes || m_data.size() > k_max_event_bytes)
    return util::fail("the event stream sent an event larger than 16 MiB");
  return SseFlow::more;
}

void SseParser::restart() {
  m_line.clear();
  m_after_cr = false;
  m_at_start = true;
  m_bom_bytes.clear();
  m_data.clear();
  m_event_type.clear();
}

bool SseParser::line(std::string_view text, const std::function<bool(const SseEvent&)>& on_event) {
  if (text.empty()) {  // dispatch
    if (m_data.empty()) {
      m_event_type.clear();
      return true;
    }
    SseEvent event;
    event.id = m_last_id;
    if (!m_event_type.empty()) event.event = std::move(m_event_type);
    m_data.pop_back();  // the '\n' after the last data line
    event.data = std::move(m_data);
    m_data.clear();
    m_event_type.clear();
    return on_event(event);
  }
  if (text.front() == ':') return true;  // a comment (servers send them as keep-alives)
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    field(text, {});
    return true;
  }
  std::string_view value = text.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  field(text.substr(0, colon), value);
  return true;
}

void SseParser::field(std::string_view name, std::string_view value) {
  if (name == "data") {
    m_data.append(value);
    m_data += '\n';
  } else if (name == "event") {
    m_event_type = value;
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) m_last_id = value;
  } else if (name == "retry") {
    long long ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty() &&
        value.find_first_not_of("0123456789") == std::string_view::npos)
      m_retry = std::chrono::milliseconds(ms);
  }
}

}  // namespace pipewright::http
