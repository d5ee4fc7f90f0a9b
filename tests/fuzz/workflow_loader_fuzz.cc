// Fuzz target: the workflow loader. The input is the text of a YAML file; it is loaded
// both as a workflow (.github/workflows/*.yml) and as an action metadata file
// (action.yml). Loading must never crash or hang on any input (DESIGN.md principle 2:
// a malformed workflow never crashes the engine); failures come back as values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipewright/workflow/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pipewright;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)workflow::load_workflow_text(text, ".github/workflows/fuzz.yml");
  (void)workflow::load_action_text(text, "action.yml");
  return 0;
}
