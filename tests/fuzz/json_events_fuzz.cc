// Fuzz target: the `--json` event writer. The input is split at NUL bytes into the
// texts of one run's events (names, a matrix value, step lines, an annotation's
// properties, a summary, a reason); whatever bytes they hold, every event written must
// be one line that is a JSON object in valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipewright/exec/console.h"
#include "pipewright/expr/json.h"
#include "pipewright/util/utf8.h"

namespace {

using namespace pipewright;

// A contract check that fails loudly (abort is what the fuzzer reports as a crash).
void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    size_t nul = input.find('\0', start);
    fields.emplace_back(input.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  auto field = [&](size_t i) -> const std::string& { return fields[i % fields.size()]; };

  char* buffer = nullptr;
  size_t length = 0;
  std::FILE* out = open_memstream(&buffer, &length);
  require(out != nullptr);
  {
    exec::JsonConsole console(out);
    console.run_started(exec::RunStart{field(0), field(1), field(2), field(3), field(4), {}});
    exec::JobInfo job;
    job.workflow_name = field(1);
    job.job_id = field(5);
    job.name = field(6);
    job.matrix_json = expr::to_json(expr::Value(field(7)));
    console.job_queued(job);
    console.job_started(job);
    console.step_started(job, 0, field(8));
    for (const std::string& line : fields)
      console.step_line(job, 0, line);
    console.step_group(job, 0, field(9));
    exec::Annotation annotation{exec::AnnotationLevel::warning, field(10)};
    annotation.file = field(11);
    annotation.title = field(12);
    annotation.line = 3;
    console.annotation(job, 0, annotation);
    console.step_summary(job, 0, field(13));
    console.step_finished(job, 0, field(8), exec::StepEnd{{}, {}, {}, field(14)});
    console.job_message(job, field(15));
    console.job_finished(job, exec::JobEnd{{}, field(16), {}, field(17), false});
    console.run_finished(exec::RunEnd{});
    auto tagged = console.run_sink(7, field(18));
    tagged->run_started(exec::RunStart{});
    tagged->run_finished(exec::RunEnd{});
  }
  std::fclose(out);
  std::string_view written(buffer, length);
  require(!util::find_invalid_utf8(written));
  size_t events = 0;
  exec::for_each_line(written, [&](std::string_view line) {
    require(nlohmann::json::accept(line));
    require(line.front() == '{');
    ++events;
  });
  require(events == 13 + fields.size());
  std::free(buffer);
  return 0;
}
