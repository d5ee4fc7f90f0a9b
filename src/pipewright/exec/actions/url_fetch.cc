#include "pipewright/exec/actions/url_fetch.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

namespace pipewright::exec::actions {

namespace {

constexpr long k_connect_timeout_seconds = 20;
// A stalled transfer (under 1 byte/s for this long) is abandoned.
constexpr long k_stall_seconds = 60;

struct Sink {
  std::function<bool(const char*, size_t)> write;
  uint64_t written = 0;
  uint64_t max_bytes = 0;
  bool too_big = false;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->written + n > sink->max_bytes) {
    sink->too_big = true;
    return 0;
  }
  sink->written += n;
  return sink->write(data, n) ? n : 0;
}

util::Expected<void> transfer(const std::string& url, Sink& sink) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return util::fail("cannot download " + url + ": libcurl did not start");
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, k_connect_timeout_seconds);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, k_stall_seconds);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "pipewright");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  CURLcode code = curl_easy_perform(c);
  if (sink.too_big)
    return util::fail(fmt::format("cannot download {}: larger than {} bytes", url, sink.max_bytes));
  if (code != CURLE_OK)
    return util::fail(fmt::format("cannot download {}: {}", url,
                                  error[0] != '\0' ? error : curl_easy_strerror(code)));
  return {};
}

}  // namespace

util::Expected<std::string> fetch_url(const std::string& url, uint64_t max_bytes) {
  std::string body;
  Sink sink{[&](const char* data, size_t n) {
              body.append(data, n);
              return true;
            },
            0, max_bytes, false};
  PW_TRY_VOID(transfer(url, sink));
  return body;
}

util::Expected<void> fetch_url_to_file(const std::string& url, const std::string& path,
                                       uint64_t max_bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wbe"), std::fclose);
  if (!file) return util::fail("cannot create " + path);
  Sink sink{[&](const char* data, size_t n) { return std::fwrite(data, 1, n, file.get()) == n; }, 0,
            max_bytes, false};
  PW_TRY_VOID(transfer(url, sink));
  if (std::fflush(file.get()) != 0) return util::fail("cannot write " + path);
  return {};
}

}  // namespace pipewright::exec::actions
