// Fuzz target: the expression language. The input is one expression text; it goes
// through every entry point that sees user-written `${{ }}` text — the parser (with any
// name allowed, and with a step's context list), templates, `if:` conditions — and
// whatever parses is evaluated against a small fixed context. JSON parsing (fromJSON)
// sees the same bytes. Nothing may crash, hang or leave a failure without a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/json.h"
#include "pipewright/expr/parser.h"
#include "pipewright/expr/template.h"
#include "pipewright/expr/value.h"

namespace {

using namespace pipewright;

// A contract check that fails loudly (abort is what the fuzzer reports as a crash).
void require(bool condition) {
  if (!condition) std::abort();
}

expr::ParseOptions any_name_options() {
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  return options;
}

// The contexts of a step's `run:` (gha-spec.md §4), so unknown names are errors.
expr::ParseOptions step_options() {
  expr::ParseOptions options;
  options.named_values = {"github", "env",     "vars",     "job",    "jobs",  "steps",
                          "runner", "secrets", "strategy", "matrix", "needs", "inputs"};
  return options;
}

expr::Value object_of(std::initializer_list<std::pair<const char*, expr::Value>> entries) {
  expr::Object object;
  for (const auto& [key, value] : entries)
    object.set(key, value);
  return expr::Value(std::move(object));
}

// A small but varied context: nested objects, arrays, numbers, booleans, nulls.
expr::EvalContext make_context() {
  expr::EvalContext context;
  context.set("github",
              object_of({{"event_name", "push"},
                         {"ref", "refs/heads/main"},
                         {"run_number", 42},
                         {"event", object_of({{"head_commit", object_of({{"message", "fix: x"}})},
                                              {"forced", false}})}}));
  context.set("matrix", object_of({{"os", "ubuntu-latest"}, {"node", expr::Array{18, 20, "22"}}}));
  context.set("env", object_of({{"CI", "true"}, {"EMPTY", ""}}));
  context.set("steps", object_of({{"build", object_of({{"outputs", object_of({{"x", "1"}})},
                                                       {"outcome", "success"}})}}));
  context.set("needs",
              object_of({{"setup", object_of({{"result", "success"},
                                              {"outputs", object_of({{"json", "[1,2]"}})}})}}));
  context.set("inputs", object_of({{"dry-run", true}, {"count", 3}, {"none", nullptr}}));
  context.set_hash_files_hook(
      [](const std::vector<std::string>&, bool) -> std::expected<std::string, std::string> {
        return std::string();  // no I/O while fuzzing: nothing matches
      });
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const expr::ParseOptions any_names = any_name_options();
  static const expr::ParseOptions step_names = step_options();
  static const expr::EvalContext context = make_context();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto parsed = expr::parse(text, any_names)) {
    auto value = expr::evaluate(*parsed, context);
    require(value || !value.error().message.empty());
    if (value) (void)expr::to_json(*value);
  } else {
    require(!parsed.error().message.empty());
  }

  auto strict = expr::parse(text, step_names);
  require(strict || !strict.error().message.empty());

  if (auto tmpl = expr::Template::parse(text)) {
    auto value = tmpl->evaluate(context);
    require(value || !value.error().message.empty());
  } else {
    require(!tmpl.error().message.empty());
  }

  if (auto condition = expr::parse_condition(text, step_names)) {
    (void)expr::evaluate(*condition, context);
  }

  if (auto json = expr::parse_json(text)) (void)expr::to_json(*json);
  return 0;
}
