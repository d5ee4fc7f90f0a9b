// Which workflow files a command works on (`run`, `actions pull`, the server).
#pragma once

#include <string>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::pipeline {

// -W `given` (a file, or a directory of *.yml/*.yaml, sorted) or, when empty,
// <root>/.github/workflows. Fails when the path does not exist or holds no workflow.
util::Expected<std::vector<std::string>> workflow_files(const std::string& given,
                                                        const std::string& root);

}  // namespace pipewright::pipeline
