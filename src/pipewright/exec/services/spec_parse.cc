// Parsing of the service fields that come from Docker: image references, `ports:`
// entries, `options:` strings and Go durations.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/services/service_provider.h"
#include "pipewright/exec/services/service_util.h"

namespace pipewright::exec::services {
namespace {

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  if (text.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_port(int port) {
  return port > 0 && port <= 65535;
}

}  // namespace

util::Expected<ImageRef> parse_image(std::string_view image) {
  if (image.empty()) return util::fail("empty image reference");
  if (image.find_first_of(" \t\n") != std::string_view::npos)
    return util::fail("invalid image reference '" + std::string(image) + "'");
  ImageRef ref;
  std::string_view rest = image;
  if (auto at = rest.find('@'); at != std::string_view::npos) rest = rest.substr(0, at);
  // A first component with '.' or ':' or "localhost" is a registry (Docker's rule).
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      ref.registry = first;
      rest = rest.substr(slash + 1);
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (ref.tag.empty()) return util::fail("invalid image reference '" + std::string(image) + "'");
  }
  if (rest.empty() || rest.front() == '/' || rest.back() == '/')
    return util::fail("invalid image reference '" + std::string(image) + "'");
  ref.path = rest;
  if (ref.path.starts_with("library/")) ref.path = ref.path.substr(8);
  auto last = ref.path.rfind('/');
  ref.repository = last == std::string::npos ? ref.path : ref.path.substr(last + 1);
  size_t digits = 0;
  while (digits < ref.tag.size() && ref.tag[digits] >= '0' && ref.tag[digits] <= '9')
    ++digits;
  if (digits > 0) ref.major = to_int(std::string_view(ref.tag).substr(0, digits));
  return ref;
}

util::Expected<PortMapping> parse_port(std::string_view entry) {
  auto bad = [&] {
    return util::fail("invalid port mapping '" + std::string(entry) + "'", {},
                      "use 'HOST:CONTAINER' (5432:5432) or 'CONTAINER' (5432)");
  };
  PortMapping mapping;
  std::string_view rest = entry;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    mapping.protocol = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (mapping.protocol != "tcp" && mapping.protocol != "udp") return bad();
  }
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return bad();
  auto container = to_int(parts.back());
  if (!container || !valid_port(*container)) return bad();
  mapping.container_port = *container;
  if (parts.size() >= 2) {
    std::string_view host = parts[parts.size() - 2];
    if (!host.empty()) {
      auto port = to_int(host);
      if (!port || !valid_port(*port)) return bad();
      mapping.host_port = *port;
    }
  }
  return mapping;
}

util::Expected<std::chrono::milliseconds> parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double ms;
  };
  // Longest suffixes first so "ms" is not read as "m" + "s".
  static constexpr Unit k_units[] = {{"ns", 1e-6},     {"us", 1e-3},  {"µs", 1e-3}, {"ms", 1},
                                     {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  auto bad = [&] {
    return util::fail("invalid duration '" + std::string(text) + "'", {},
                      "use a number with a unit: 500ms, 10s, 1m30s, 2h");
  };
  if (text.empty()) return bad();
  if (text == "0") return std::chrono::milliseconds(0);
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() && ((rest[i] >= '0' && rest[i] <= '9') || rest[i] == '.'))
      ++i;
    if (i == 0) return bad();
    double number = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + i, number);
    if (ec != std::errc() || ptr != rest.data() + i) return bad();
    rest = rest.substr(i);
    const Unit* unit = nullptr;
    for (const Unit& u : k_units) {
      if (rest.starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (!unit) return bad();
    total += number * unit->ms;
    rest = rest.substr(unit->suffix.size());
  }
  return std::chrono::milliseconds(static_cast<long long>(total + 0.5));
}

util::Expected<ContainerOptions> parse_options(std::string_view options) {
  PW_TRY(words, split_shell_words(options));
  ContainerOptions result;
  HealthCheck health;
  bool has_health = false;
  enum class Field { command, interval, timeout, retries, start_period };
  struct Known {
    std::string_view flag;
    Field field;
  };
  static constexpr Known k_health[] = {
      {"--health-cmd", Field::command},
      {"--health-interval", Field::interval},
      {"--health-timeout", Field::timeout},
      {"--health-retries", Field::retries},
      {"--health-start-period", Field::start_period},
  };
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word = words[i];
    std::string flag = word;
    std::optional<std::string> value;
    if (auto eq = word.find('='); word.starts_with("--") && eq != std::string::npos) {
      flag = word.substr(0, eq);
      value = word.substr(eq + 1);
    }
    const Known* known = nullptr;
    for (const Known& k : k_health) {
      if (flag == k.flag) known = &k;
    }
    if (!known) {
      // Keep an option's value with it in the notice when it is not a flag itself.
      if (word.starts_with("-") && !value && i + 1 < words.size() && !words[i + 1].starts_with("-"))
        word += " " + words[++i];
      result.ignored.push_back(word);
      continue;
    }
    if (!value) {
      if (i + 1 >= words.size()) return util::fail("option " + flag + " needs a value");
      value = words[++i];
    }
    switch (known->field) {
      case Field::command:
        health.command = *value;
        has_health = true;
        break;
      case Field::interval: {
        PW_TRY(d, parse_duration(*value));
        health.interval = d;
        break;
      }
      case Field::timeout: {
        PW_TRY(d, parse_duration(*value));
        health.timeout = d;
        break;
      }
      case Field::start_period: {
        PW_TRY(d, parse_duration(*value));
        health.start_period = d;
        break;
      }
      case Field::retries: {
        auto n = to_int(*value);
        if (!n || *n < 0) return util::fail("invalid --health-retries value '" + *value + "'");
        health.retries = *n;
        break;
      }
    }
  }
  // Docker's CMD-SHELL form arrives as plain text; "NONE" disables the check.
  if (has_health && health.command != "NONE" && !health.command.empty()) result.health = health;
  return result;
}

}  // namespace pipewright::exec::services
