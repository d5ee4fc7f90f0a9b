#include "pipewright/pipeline/workflow_files.h"

#include <algorithm>
#include <filesystem>

namespace pipewright::pipeline {

namespace fs = std::filesystem;

util::Expected<std::vector<std::string>> workflow_files(const std::string& given,
                                                        const std::string& root) {
  std::string path = given.empty() ? root + "/.github/workflows" : given;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return std::vector<std::string>{path};
  if (!fs::is_directory(path, ec))
    return util::fail("no workflows found: " + path + " does not exist");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml"))
      files.push_back(entry.path().string());
  }
  std::ranges::sort(files);
  if (files.empty()) return util::fail("no workflow files (*.yml, *.yaml) in " + path);
  return files;
}

}  // namespace pipewright::pipeline
