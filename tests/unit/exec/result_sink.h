// Test helper for scheduler tests: collects "name=result (reason)" per finished job.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "pipewright/exec/events.h"

namespace pipewright::exec::testing {

class ResultSink : public EventSink {
 public:
  std::vector<std::string> finished;
  void job_finished(const JobInfo& j, const JobEnd& e) override {
    std::lock_guard lock(m_mutex);
    finished.push_back(j.name + "=" + std::string(result_name(e.result)) +
                       (e.reason.empty() ? "" : " (" + e.reason + ")"));
  }

 private:
  std::mutex m_mutex;
};

}  // namespace pipewright::exec::testing
