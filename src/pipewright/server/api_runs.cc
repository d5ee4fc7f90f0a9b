// Runs: the paged list, one run with its jobs, job logs, the live stream (SSE), cancel,
// re-runs and artifacts.
#include <charconv>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipewright/exec/actions/archive.h"
#include "pipewright/exec/actions/artifact_store.h"
#include "pipewright/os/file.h"
#include "pipewright/server/api.h"
#include "pipewright/server/api_auth.h"
#include "pipewright/server/core.h"
#include "pipewright/server/dispatcher.h"
#include "pipewright/server/json_views.h"

namespace pipewright::server {

namespace {

using http::Request;
using http::Response;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t k_default_per_page = 30;
constexpr int64_t k_max_per_page = 100;

std::optional<int64_t> query_int(const Request& request, std::string_view name) {
  auto text = request.query_value(name);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

Response failure(int status, const util::Error& error) {
  return Response::error(status, error.message);
}

Response list_runs(Core& core, const Request& request) {
  store::RunFilter filter;
  if (auto repo = request.query_value("repo"); repo && !repo->empty()) filter.repo = *repo;
  if (auto branch = request.query_value("branch"); branch && !branch->empty())
    filter.branch = *branch;
  if (auto event = request.query_value("event"); event && !event->empty()) filter.event = *event;
  if (auto workflow = request.query_value("workflow"); workflow && !workflow->empty())
    filter.workflow_file = *workflow;
  if (auto status = request.query_value("status"); status && !status->empty()) {
    // GitHub's `status` takes a status or a conclusion.
    if (*status == "in_progress")
      filter.status = store::Status::running;
    else if (*status == "queued")
      filter.status = store::Status::queued;
    else if (*status == "completed")
      filter.status = store::Status::completed;
    else if (*status == "interrupted")
      filter.status = store::Status::interrupted;
    else if (auto result = store::parse_result(*status))
      filter.result = *result;
    else
      return Response::error(422, "Invalid status '" + *status +
                                      "': use queued, in_progress, completed, success, failure, "
                                      "cancelled, skipped or interrupted");
  }
  int64_t page = query_int(request, "page").value_or(1);
  int64_t per_page = query_int(request, "per_page").value_or(k_default_per_page);
  if (page < 1 || per_page < 1) return Response::error(422, "page and per_page start at 1");
  per_page = std::min(per_page, k_max_per_page);
  auto runs = core.history->list_runs(filter, page, per_page);
  if (!runs) return failure(500, runs.error());
  json list = json::array();
  for (const store::RunRecord& run : runs->runs)
    list.push_back(run_json(run));
  return json_response(200, json{{"total_count", runs->total_count}, {"workflow_runs", list}});
}

Response get_run(Core& core, const Request& request) {
  auto id = id_param(request, "id");
  if (!id) return Response::error(404, "Not Found");
  std::optional<int> attempt;
  if (auto a = query_int(request, "attempt")) attempt = static_cast<int>(*a);
  auto detail = core.history->run_detail(*id, attempt);
  if (!detail) return failure(500, detail.error());
  if (!*detail) return Response::error(404, "Not Found");
  json run = run_json((*detail)->run);
  json jobs = json::array();
  for (const store::JobDetail& job : (*detail)->jobs)
    jobs.push_back(job_json((*detail)->run, job));
  run["jobs"] = std::move(jobs);
  return json_response(200, run);
}

// Every step's log of a job, each step under a "##[group]" header line as GitHub's
// downloaded logs have.
Response job_logs(Core& core, const Request& request) {
  auto id = id_param(request, "id");
  auto job_id = id_param(request, "job_id");
  if (!id || !job_id) return Response::error(404, "Not Found");
  // Any attempt: job ids are unique across attempts.
  for (int attempt = 0;; ++attempt) {
    auto detail =
        core.history->run_detail(*id, attempt == 0 ? std::nullopt : std::optional<int>(attempt));
    if (!detail) return failure(500, detail.error());
    if (!*detail) return Response::error(404, "Not Found");
    for (const store::JobDetail& job : (*detail)->jobs) {
      if (job.job.id != *job_id) continue;
      std::string text;
      for (const store::StepRecord& step : job.steps) {
        text += "##[group]" + step.name + "\n";
        if (!step.log_ref.empty() || step.log.lines > 0) {
          auto log = core.history->step_log_text(step.id);
          if (log) text += *log;
          if (!text.empty() && text.back() != '\n') text += '\n';
        }
        text += "##[endgroup]\n";
      }
      return Response::text(200, std::move(text));
    }
    if (attempt >= (*detail)->run.run_attempt) break;
  }
  return Response::error(404, "Not Found");
}

std::string sse_event(int64_t id, std::string_view event, std::string_view data) {
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", id, event, data);
}

// The stored logs of a finished run as the same events a live run sends, numbered from 1,
// so Last-Event-ID resumes the same way.
void replay_stored(Core& core, store::RunId run, int64_t after, http::Stream& stream) {
  auto detail = core.history->run_detail(run, std::nullopt);
  if (!detail || !*detail) return;
  int64_t id = 0;
  auto send = [&](std::string_view event, const json& data) {
    if (++id <= after) return true;
    return stream.write(
        sse_event(id, event, data.dump(-1, ' ', false, json::error_handler_t::replace)));
  };
  for (const store::JobDetail& job : (*detail)->jobs) {
    json base{{"job", job.job.job_id}, {"name", job.job.name}, {"job_run_id", job.job.id}};
    for (const store::StepRecord& step : job.steps) {
      if (step.log_ref.empty() && step.log.lines == 0) continue;
      bool open = true;
      (void)core.history->read_step_log(step.id, {}, [&](std::string_view line) {
        if (!open) return;
        json data = base;
        data["step"] = step.index + 1;
        if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
        data["line"] = line;
        open = send("log", data);
      });
      if (!open) return;
    }
    json done = base;
    done["status"] = api_status(job.job.status);
    done["conclusion"] = api_conclusion(job.job.status, job.job.result);
    if (!send("job", done)) return;
  }
  send("run", json{{"status", api_status((*detail)->run.status)},
                   {"conclusion", api_conclusion((*detail)->run.status, (*detail)->run.result)}});
}

void stream_logs(Core& core, const Request& request, http::Stream& stream) {
  auto id = id_param(request, "id");
  if (!id) {
    stream.write("event: error\ndata: {\"message\":\"Not Found\"}\n\n");
    return;
  }
  int64_t after = 0;
  if (const std::string* last = request.header("Last-Event-ID")) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(last->data(), last->data() + last->size(), value);
    if (ec == std::errc() && end == last->data() + last->size() && value > 0) after = value;
  }
  // A queued run: wait for it to start (comments keep proxies from closing the stream).
  for (;;) {
    if (stream.closed()) return;
    if (auto live = core.live.find(*id)) {
      // Waits of a second: the server's stop() waits for stream handlers, which notice
      // it (and a client gone) through closed().
      for (int idle = 0;;) {
        if (stream.closed()) return;
        bool reset = false;
        auto events = live->events_after(after, std::chrono::seconds(1), &reset);
        if (reset && !stream.write("event: reset\ndata: {}\n\n")) return;
        if (events.empty()) {
          if (live->finished()) return;
          if (++idle % 15 == 0 && !stream.write(": keep-alive\n\n")) return;
          continue;
        }
        idle = 0;
        for (const LiveEvent& e : events) {
          if (!stream.write(sse_event(e.id, e.event, e.data))) return;
          after = e.id;
        }
      }
    }
    auto detail = core.history->run_detail(*id, std::nullopt);
    if (!detail || !*detail) {
      stream.write("event: error\ndata: {\"message\":\"Not Found\"}\n\n");
      return;
    }
    store::Status status = (*detail)->run.status;
    if (status == store::Status::completed || status == store::Status::interrupted) {
      replay_stored(core, *id, after, stream);
      return;
    }
    if (!stream.write(": waiting\n\n")) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Response cancel_run(Dispatcher& dispatcher, const Request& request) {
  auto id = id_param(request, "id");
  if (!id) return Response::error(404, "Not Found");
  auto cancelled = dispatcher.cancel(*id);
  if (!cancelled) return Response::error(404, "Not Found");
  if (!*cancelled) return Response::error(409, "Cannot cancel a workflow run that is completed.");
  return json_response(202, json::object());
}

Response rerun(Dispatcher& dispatcher, const Request& request, CarryMode mode) {
  auto id = id_param(request, "id");
  if (!id) return Response::error(404, "Not Found");
  std::string job;
  if (mode == CarryMode::job) {
    auto job_id = id_param(request, "job_id");
    if (!job_id) return Response::error(404, "Not Found");
    job = std::to_string(*job_id);
  }
  auto attempt = dispatcher.rerun(*id, mode, job);
  if (!attempt) {
    const std::string& message = attempt.error().message;
    int status = message.find("not found") != std::string::npos ? 404 : 403;
    return Response::error(status, message);
  }
  return json_response(201, json{{"run_attempt", *attempt}});
}

Response list_artifacts(Core& core, const Request& request) {
  auto id = id_param(request, "id");
  if (!id) return Response::error(404, "Not Found");
  exec::actions::ArtifactStoreOptions options;
  options.dir = core.data_dir + "/artifacts";
  exec::actions::ArtifactStore artifacts(options);
  json list = json::array();
  for (const exec::actions::ArtifactInfo& a : artifacts.list(std::to_string(*id))) {
    auto time = [](int64_t seconds) {
      return rfc3339(store::TimePoint(std::chrono::seconds(seconds)));
    };
    list.push_back(json{{"id", a.id},
                        {"name", a.name},
                        {"size_in_bytes", a.size},
                        {"files", a.files},
                        {"created_at", time(a.created_s)},
                        {"expires_at", time(a.expires_s)}});
  }
  return json_response(200, json{{"total_count", list.size()}, {"artifacts", list}});
}

// One artifact as a tar.zst stream (what `pipewright artifacts RUN NAME --server`
// extracts): its files are downloaded into a scratch directory and packed again, whatever
// parts the uploads made.
Response download_artifact(Core& core, const Request& request) {
  auto id = id_param(request, "id");
  if (!id) return Response::error(404, "Not Found");
  const std::string& name = request.params.at("name");
  std::error_code ec;
  fs::path scratch = fs::path(core.data_dir) / "tmp" /
                     fmt::format("artifact-{}-{}", *id, std::hash<std::string>{}(name));
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch / "files", ec);
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{scratch};
  exec::actions::ArtifactStoreOptions options;
  options.dir = core.data_dir + "/artifacts";
  options.workspace = (scratch / "files").string();
  exec::actions::ArtifactStore artifacts(options);
  exec::actions::DownloadRequest download;
  download.run_id = std::to_string(*id);
  download.name = name;
  download.path = (scratch / "files").string();
  if (auto got = artifacts.download(download); !got) return Response::error(404, "Not Found");
  std::vector<exec::actions::PackInput> inputs;
  for (auto it = fs::recursive_directory_iterator(scratch / "files", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() || it->is_symlink())
      inputs.push_back(
          {it->path().string(), it->path().lexically_relative(scratch / "files").generic_string()});
  std::string archive = (scratch / "artifact.tar.zst").string();
  auto packed = exec::actions::write_archive(archive, inputs);
  if (!packed) return Response::error(500, "cannot pack the artifact: " + packed.error().message);
  auto bytes = os::read_file(archive, size_t{1} << 30);
  if (!bytes) return Response::error(500, "cannot read the packed artifact");
  Response response;
  response.status = 200;
  response.headers.push_back({"Content-Type", "application/zstd"});
  response.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"" + name + ".tar.zst\""});
  response.body = std::move(*bytes);
  return response;
}

}  // namespace

void add_run_routes(http::Router& router, Core& core, Dispatcher& dispatcher) {
  router.add("GET", "/api/v1/runs",
             guarded(core, Role::viewer, [&core](const Request& r) { return list_runs(core, r); }));
  router.add("GET", "/api/v1/runs/{id}",
             guarded(core, Role::viewer, [&core](const Request& r) { return get_run(core, r); }));
  router.add("GET", "/api/v1/runs/{id}/jobs/{job_id}/logs",
             guarded(core, Role::viewer, [&core](const Request& r) { return job_logs(core, r); }));
  router.add(
      "GET", "/api/v1/runs/{id}/artifacts",
      guarded(core, Role::viewer, [&core](const Request& r) { return list_artifacts(core, r); }));
  router.add("GET", "/api/v1/runs/{id}/artifacts/{name}",
             guarded(core, Role::viewer,
                     [&core](const Request& r) { return download_artifact(core, r); }));
  router.add_stream(
      "GET", "/api/v1/runs/{id}/logs/stream",
      {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}},
      [&core](const Request& r, http::Stream& stream) {
        auto role = request_role(core, r);
        if (!role) {
          stream.write("event: error\ndata: {\"message\":\"Requires authentication\"}\n\n");
          return;
        }
        stream_logs(core, r, stream);
      });
  router.add("POST", "/api/v1/runs/{id}/cancel",
             guarded(core, Role::maintainer,
                     [&dispatcher](const Request& r) { return cancel_run(dispatcher, r); }));
  router.add("POST", "/api/v1/runs/{id}/rerun",
             guarded(core, Role::maintainer, [&dispatcher](const Request& r) {
               return rerun(dispatcher, r, CarryMode::all);
             }));
  router.add("POST", "/api/v1/runs/{id}/rerun-failed-jobs",
             guarded(core, Role::maintainer, [&dispatcher](const Request& r) {
               return rerun(dispatcher, r, CarryMode::failed);
             }));
  router.add("POST", "/api/v1/runs/{id}/jobs/{job_id}/rerun",
             guarded(core, Role::maintainer, [&dispatcher](const Request& r) {
               return rerun(dispatcher, r, CarryMode::job);
             }));
}

}  // namespace pipewright::server
