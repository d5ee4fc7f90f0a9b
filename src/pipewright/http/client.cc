#include "pipewright/http/client.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pipewright::http {

namespace {

// Answers past this size fail rather than exhaust memory.
constexpr size_t k_max_body = 256 * 1024 * 1024;
// Error answers of a stream are read only this far.
constexpr size_t k_max_error_body = 64 * 1024;
constexpr std::chrono::milliseconds k_default_retry{1000};

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append(HeaderList& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (!grown) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

// One transfer's state, shared with the libcurl callbacks.
struct Transfer {
  ClientResponse response;
  size_t max_body = k_max_body;
  bool too_big = false;
  // For streams: called with the body bytes of a 200 answer; false aborts the transfer.
  std::function<bool(std::string_view)> on_body;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {  // a new answer (after a 100 Continue, say)
    t->response.headers.clear();
    size_t space = line.find(' ');
    t->response.status = space == std::string_view::npos
                             ? 0
                             : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    t->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view bytes(data, size * count);
  if (t->on_body && t->response.status == 200) return t->on_body(bytes) ? bytes.size() : 0;
  if (t->response.body.size() + bytes.size() > t->max_body) {
    t->too_big = true;
    return 0;
  }
  t->response.body.append(bytes);
  return bytes.size();
}

std::string join_url(const std::string& base, std::string_view path) {
  std::string url = base;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  if (!path.starts_with('/')) url += '/';
  url += path;
  return url;
}

}  // namespace

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

Client::Client(ClientOptions options) : m_options(std::move(options)) {
  while (!m_options.base_url.empty() && m_options.base_url.back() == '/')
    m_options.base_url.pop_back();
}

std::string Client::mask(std::string text) const {
  if (m_options.token.empty()) return text;
  for (size_t at = text.find(m_options.token); at != std::string::npos;
       at = text.find(m_options.token, at + 3))
    text.replace(at, m_options.token.size(), "***");
  return text;
}

std::string Client::error_message(const ClientResponse& response) const {
  std::string message;
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string())
    message = json["message"].get<std::string>();
  if (message.empty())
    message = fmt::format("HTTP {}", response.status);
  else
    message = fmt::format("{} (HTTP {})", message, response.status);
  if (response.status == 401) message += "; set PIPEWRIGHT_TOKEN to a valid token";
  if (response.status == 429) {
    std::string after = response.header("Retry-After");
    if (!after.empty()) message += fmt::format("; try again in {} s", after);
  }
  return mask(std::move(message));
}

namespace {

// A handle set up for `url` with the common options; `headers` must outlive it.
CurlHandle prepare(const std::string& url, const HeaderList& headers, Transfer& transfer,
                   std::chrono::seconds connect_timeout, char* error_buffer) {
  global_init();
  CurlHandle curl(curl_easy_init());
  if (!curl) throw std::bad_alloc();
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  // Only the API's own schemes; never follow a redirect with the token to elsewhere.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  return curl;
}

std::string curl_error(CURLcode code, const char* error_buffer) {
  return error_buffer[0] ? error_buffer : curl_easy_strerror(code);
}

}  // namespace

util::Expected<ClientResponse> Client::request(std::string_view method,
                                               std::string_view path_and_query,
                                               std::string_view json_body) {
  std::string url = join_url(m_options.base_url, path_and_query);
  HeaderList headers;
  append(headers, "Accept: application/json");
  append(headers, "Expect:");  // no 100-continue round trip
  if (!m_options.token.empty()) append(headers, "Authorization: Bearer " + m_options.token);
  // No body: no Content-Type (libcurl would otherwise claim a form for a POST).
  append(headers, json_body.empty() ? "Content-Type:" : "Content-Type: application/json");
  Transfer transfer;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CurlHandle curl = prepare(url, headers, transfer, m_options.timeout, error_buffer);
  std::string verb(method);
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, verb.c_str());
  if (verb == "HEAD") curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  if (!json_body.empty() || verb == "POST" || verb == "PUT") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, json_body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(m_options.timeout.count()));
  CURLcode code = curl_easy_perform(curl.get());
  if (transfer.too_big)
    return util::fail(fmt::format("{} {}: the answer is larger than {} MiB", verb, url,
                                  k_max_body / (1024 * 1024)));
  if (code != CURLE_OK)
    return util::fail(mask(fmt::format("cannot reach the server at {}: {}", m_options.base_url,
                                       curl_error(code, error_buffer))),
                      {}, "check --server / PIPEWRIGHT_SERVER and that `pipewright serve` runs");
  return std::move(transfer.response);
}

util::Expected<void> Client::stream_events(std::string_view path,
                                           const std::function<bool(const SseEvent&)>& on_event) {
  std::string url = join_url(m_options.base_url, path);
  SseParser parser;
  int failures = 0;
  bool ever_connected = false;
  for (;;) {
    parser.restart();
    HeaderList headers;
    append(headers, "Accept: text/event-stream");
    append(headers, "Cache-Control: no-cache");
    if (!m_options.token.empty()) append(headers, "Authorization: Bearer " + m_options.token);
    if (!parser.last_event_id().empty())
      append(headers, "Last-Event-ID: " + parser.last_event_id());
    Transfer transfer;
    transfer.max_body = k_max_error_body;
    bool stopped = false;
    bool got_event = false;
    std::optional<util::Error> parse_error;
    transfer.on_body = [&](std::string_view bytes) {
      auto flow = parser.feed(bytes, [&](const SseEvent& event) {
        got_event = true;
        return on_event(event);
      });
      if (!flow) parse_error = flow.error();
      stopped = flow && *flow == SseFlow::stop;
      return flow && *flow == SseFlow::more;
    };
    char error_buffer[CURL_ERROR_SIZE] = {};
    CurlHandle curl = prepare(url, headers, transfer, m_options.timeout, error_buffer);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
    CURLcode code = curl_easy_perform(curl.get());
    if (stopped) return {};
    if (parse_error) return std::unexpected(*parse_error);
    int status = transfer.response.status;
    if (status != 0 && status != 200) {
      if (status == 204) return {};  // the server says: nothing more, do not reconnect
      return util::fail(error_message(transfer.response));
    }
    if (code == CURLE_OK) return {};  // the server ended the stream
    if (status == 200) ever_connected = true;
    failures = got_event ? 1 : failures + 1;
    if (!ever_connected || failures > m_options.max_reconnects)
      return util::fail(
          mask(fmt::format("the event stream {} broke: {}", url, curl_error(code, error_buffer))),
          {}, "check --server / PIPEWRIGHT_SERVER and that `pipewright serve` runs");
    std::this_thread::sleep_for(parser.retry().value_or(k_default_retry));
  }
}

}  // namespace pipewright::http
