// Fuzz target: workflow commands in step output. The input's first byte picks the
// step's settings (unsecure commands, stop tokens, echo, deprecated output commands);
// the rest is the step's output, line by line. Every line goes through the parser and
// the per-step state machine, and every effect reaches an event sink through the
// engine's MaskingSink, the way the step runner reports it. Nothing may crash or hang,
// and no value registered with ::add-mask:: (or a long stop-commands token) may show
// in anything a sink receives once it is registered.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/events.h"
#include "pipewright/exec/mask_encodings.h"
#include "pipewright/exec/masker.h"
#include "pipewright/exec/masking_sink.h"
#include "pipewright/exec/workflow_commands.h"

namespace {

using namespace pipewright::exec;

// A contract check that fails loudly (abort is what the fuzzer reports as a crash).
void require(bool condition) {
  if (!condition) std::abort();
}

// Checks every text it receives against the secrets registered so far.
class LeakCheckSink : public EventSink {
 public:
  explicit LeakCheckSink(const std::vector<std::string>& parts) : m_parts(parts) {}

  void step_line(const JobInfo&, int, std::string_view line) override { check(line); }
  void step_group(const JobInfo&, int, std::string_view title) override { check(title); }
  void annotation(const JobInfo&, int, const Annotation& a) override {
    check(a.message);
    if (a.title) check(*a.title);
    if (a.file) check(*a.file);
  }
  void job_message(const JobInfo&, std::string_view text) override { check(text); }

 private:
  void check(std::string_view text) const {
    for (const std::string& part : m_parts)
      require(text.find(part) == std::string_view::npos);
  }

  const std::vector<std::string>& m_parts;
};

}  // namespace

// Each ::add-mask:: rebuilds the masker's automaton; a step's output this long with a
// mask per line is slow by design (each mask costs all masks so far), not a hang.
constexpr size_t k_max_input = 64 * 1024;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > k_max_input) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  CommandSettings settings;
  settings.allow_unsecure_commands = data[0] & 1;
  settings.allow_unsecure_stop_tokens = data[0] & 2;
  settings.echo = data[0] & 4;
  settings.allow_deprecated_output_commands = data[0] & 8;
  settings.workspace = "/work/space";

  Masker masker;
  // The parts of each registered value that must never show: whole values and lines,
  // except those holding '*' (the mask itself could spell them) or only blanks.
  std::vector<std::string> parts;
  WorkflowCommandState state(settings, [&](std::string_view value) {
    masker.add_secret(value);
    for (std::string& part : secret_parts(value))
      if (part.find('*') == std::string::npos &&
          part.find_first_not_of(" \t\r\n") != std::string::npos)
        parts.push_back(std::move(part));
  });
  LeakCheckSink check(parts);
  MaskingSink sink(check, masker);
  JobInfo job;

  WorkflowCommandParser parser;
  for_each_line(text, [&](std::string_view line) {
    ParsedLine parsed = parser.parse(line);
    if (const auto* command = std::get_if<WorkflowCommand>(&parsed))
      require(!command->name.empty());
    (void)unescape_command_property(line);

    for (CommandEffect& effect : state.process_line(line)) {
      if (auto* e = std::get_if<OutputLine>(&effect)) sink.step_line(job, 0, e->text);
      if (auto* e = std::get_if<GroupStart>(&effect)) sink.step_group(job, 0, e->title);
      if (auto* e = std::get_if<DebugMessage>(&effect)) sink.step_line(job, 0, e->text);
      if (auto* e = std::get_if<Annotation>(&effect)) sink.annotation(job, 0, *e);
      if (auto* e = std::get_if<SetOutput>(&effect)) sink.job_message(job, e->name + e->value);
      if (auto* e = std::get_if<SaveState>(&effect)) sink.job_message(job, e->name + e->value);
      if (auto* e = std::get_if<SetEnv>(&effect)) sink.job_message(job, e->name + e->value);
      if (auto* e = std::get_if<AddPath>(&effect)) sink.job_message(job, e->path);
      if (auto* e = std::get_if<MatcherCommand>(&effect)) sink.job_message(job, e->file + e->owner);
      if (auto* e = std::get_if<CommandFailed>(&effect)) {
        sink.step_line(job, 0, e->message);
        sink.step_line(job, 0, e->reason);
      }
    }
  });
  return 0;
}
