// pipeline/execute.h and host.h: one run of a real workflow (real steps, a real SQLite
// store in a temp data dir), as `pipewright run` and the server drive it.
#include "pipewright/pipeline/execute.h"

#include <filesystem>
#include <mutex>

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"
#include "pipewright/pipeline/host.h"
#include "pipewright/store/store.h"

#include "unit/pipeline/repo_fixture.h"

namespace pipewright::pipeline {
namespace {

// Collects step lines; cancels `cancel_on_step` (if set) when a step named `sleep` starts.
class Sink : public exec::EventSink {
 public:
  const os::CancelToken* cancel_on_sleep = nullptr;
  void step_started(const exec::JobInfo&, int, std::string_view name) override {
    if (cancel_on_sleep && name.find("sleep") != std::string_view::npos)
      cancel_on_sleep->request_cancel();
  }
  void step_line(const exec::JobInfo&, int, std::string_view line) override {
    std::lock_guard lock(m_mutex);
    lines += std::string(line) + "\n";
  }
  std::string text() {
    std::lock_guard lock(m_mutex);
    return lines;
  }

 private:
  std::mutex m_mutex;
  std::string lines;
};

class ExecuteTest : public testing::RepoTest {
 protected:
  // Commits `steps` as the job `build` of .github/workflows/ci.yml (on: push) and
  // prepares the host and the store.
  void setup_workflow(const std::string& steps) {
    write(".github/workflows/ci.yml",
          "name: CI\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + steps);
    commit("ci");
    auto repo = plan::Repository::open(root());
    ASSERT_TRUE(repo) << repo.error().message;
    m_repo.emplace(std::move(*repo));
    auto loaded = load_workflows(root(), "");
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_FALSE(loaded->invalid) << loaded->rendered_errors;
    m_workflows = std::move(*loaded);
    auto payload =
        expr::parse_json(R"({"ref": "refs/heads/main", "after": ")" + m_repo->info().sha + "\"}");
    auto event = plan::event_from_payload("push", *payload, *m_repo);
    ASSERT_TRUE(event) << event.error().message;
    m_event = std::move(*event);
    ASSERT_TRUE(select_workflows(m_workflows, m_event));
    ASSERT_EQ(triggered_count(m_workflows), 1u);

    HostOptions options;
    options.data_dir = path("data");
    options.work_dir = path("work");
    options.parallel = 2;
    auto host = prepare_host(options);
    ASSERT_TRUE(host) << host.error().message;
    m_host = std::move(*host);
    auto store = store::open_sqlite_store(m_host.data_dir);
    ASSERT_TRUE(store) << store.error().message;
    m_store = std::move(*store);
  }

  // A request for the workflow, its record begun.
  RunRequest request() {
    RunRequest r;
    r.workflow = &m_workflows.list.at(0);
    r.event = &m_event;
    r.repository = &*m_repo;
    auto record = begin_run(*m_store, *r.workflow, m_event);
    EXPECT_TRUE(record) << record.error().message;
    r.id = record->id;
    r.run_number = record->run_number;
    r.secrets = expr::Value(expr::Object());
    r.vars = expr::Value(expr::Object());
    r.masker = &m_masker;
    return r;
  }

  store::RunDetail detail(store::RunId id) {
    auto d = m_store->run_detail(id);
    EXPECT_TRUE(d && *d);
    return d && *d ? **d : store::RunDetail{};
  }

  std::string log_of(const store::StepRecord& step) {
    auto text = m_store->step_log_text(step.id);
    EXPECT_TRUE(text) << text.error().message;
    return text ? *text : "";
  }

  std::optional<plan::Repository> m_repo;
  Workflows m_workflows;
  plan::Event m_event;
  HostSettings m_host;
  std::unique_ptr<store::Store> m_store;
  exec::Masker m_masker;
};

TEST_F(ExecuteTest, RecordsARunAndFinishesIt) {
  setup_workflow("      - run: echo hello from $GITHUB_REF\n");
  RunRequest r = request();
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_TRUE(outcome.started);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.recording_error, "");
  EXPECT_EQ(outcome.schedule.result, exec::Result::success);
  EXPECT_FALSE(outcome.schedule.cancelled);
  EXPECT_NE(sink.text().find("hello from refs/heads/main"), std::string::npos) << sink.text();

  store::RunDetail d = detail(r.id);
  EXPECT_EQ(d.run.status, store::Status::completed);
  EXPECT_EQ(d.run.result, store::Result::success);
  EXPECT_EQ(d.run.workflow_name, "CI");
  EXPECT_EQ(d.run.workflow_file, ".github/workflows/ci.yml");
  EXPECT_EQ(d.run.sha, m_repo->info().sha);
  ASSERT_EQ(d.jobs.size(), 1u);
  EXPECT_EQ(d.jobs[0].job.job_id, "build");
  EXPECT_EQ(d.jobs[0].job.result, store::Result::success);
  bool logged = false;
  for (const store::StepRecord& step : d.jobs[0].steps)
    logged |= log_of(step).find("hello from refs/heads/main") != std::string::npos;
  EXPECT_TRUE(logged);
  // The run directory is gone (no kept workspace).
  EXPECT_FALSE(std::filesystem::exists(m_host.work_root + "/" + std::to_string(r.id)));
}

TEST_F(ExecuteTest, FailedStepFailsTheRecordAndSecretsAreMasked) {
  setup_workflow("      - run: echo \"token=${{ secrets.TOKEN }}\"; exit 3\n");
  RunRequest r = request();
  expr::Object secrets;
  secrets.set("TOKEN", expr::Value(std::string("s3cr3t-value-42")));
  EXPECT_TRUE(add_secrets(m_masker, secrets).empty());
  r.secrets = expr::Value(secrets);
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_EQ(outcome.schedule.result, exec::Result::failure);
  EXPECT_EQ(sink.text().find("s3cr3t-value-42"), std::string::npos) << sink.text();
  EXPECT_NE(sink.text().find("token=***"), std::string::npos) << sink.text();

  store::RunDetail d = detail(r.id);
  EXPECT_EQ(d.run.result, store::Result::failure);
  ASSERT_EQ(d.jobs.size(), 1u);
  EXPECT_EQ(d.jobs[0].job.result, store::Result::failure);
  for (const store::StepRecord& step : d.jobs[0].steps)
    EXPECT_EQ(log_of(step).find("s3cr3t-value-42"), std::string::npos);
}

TEST_F(ExecuteTest, WithoutAMaskerTheSecretsAreStillMasked) {
  setup_workflow("      - run: echo \"token=${{ secrets.TOKEN }}\"\n");
  RunRequest r = request();
  r.masker = nullptr;
  expr::Object secrets;
  secrets.set("TOKEN", expr::Value(std::string("s3cr3t-value-42")));
  r.secrets = expr::Value(secrets);
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_EQ(outcome.schedule.result, exec::Result::success);
  EXPECT_EQ(sink.text().find("s3cr3t-value-42"), std::string::npos) << sink.text();
  EXPECT_NE(sink.text().find("token=***"), std::string::npos) << sink.text();
  store::RunDetail d = detail(r.id);
  ASSERT_EQ(d.jobs.size(), 1u);
  for (const store::StepRecord& step : d.jobs[0].steps)
    EXPECT_EQ(log_of(step).find("s3cr3t-value-42"), std::string::npos);
}

TEST_F(ExecuteTest, ShortSecretWarnsWithoutItsValue) {
  exec::Masker masker;
  expr::Object secrets;
  secrets.set("PIN", expr::Value(std::string("7")));
  auto warnings = add_secrets(masker, secrets);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(warnings[0].starts_with("secret PIN: ")) << warnings[0];
}

TEST_F(ExecuteTest, CancelledByItsOwnTokenWhileRunning) {
  setup_workflow("      - name: sleep\n        run: sleep 60\n      - run: echo after\n");
  auto token = os::CancelToken::create();  // per run, no signal involved
  ASSERT_TRUE(token);
  RunRequest r = request();
  r.cancel = &*token;
  Sink sink;
  sink.cancel_on_sleep = &*token;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_TRUE(outcome.started);
  EXPECT_TRUE(outcome.schedule.cancelled);
  EXPECT_EQ(sink.text().find("after"), std::string::npos);
  store::RunDetail d = detail(r.id);
  EXPECT_EQ(d.run.status, store::Status::completed);
  EXPECT_EQ(d.run.result, store::Result::cancelled);
}

TEST_F(ExecuteTest, CancelledBeforeItStartsIsNotStarted) {
  setup_workflow("      - run: echo never\n");
  auto token = os::CancelToken::create();
  ASSERT_TRUE(token);
  token->request_cancel();
  RunRequest r = request();
  r.cancel = &*token;
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_FALSE(outcome.started);
  EXPECT_TRUE(outcome.schedule.cancelled);
  EXPECT_EQ(outcome.schedule.result, exec::Result::cancelled);
  store::RunDetail d = detail(r.id);
  EXPECT_EQ(d.run.result, store::Result::cancelled);
  EXPECT_TRUE(d.jobs.empty());
}

TEST_F(ExecuteTest, UnknownJobFailsTheRunWithTheReason) {
  setup_workflow("      - run: echo hi\n");
  RunRequest r = request();
  r.only_jobs = {"nope"};
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_EQ(outcome.schedule.result, exec::Result::failure);
  EXPECT_NE(outcome.error.find("nope"), std::string::npos) << outcome.error;
  EXPECT_EQ(detail(r.id).run.result, store::Result::failure);
}

TEST_F(ExecuteTest, DryRunRecordsNothing) {
  setup_workflow("      - run: echo hi > ran.txt\n");
  RunRequest r;
  r.workflow = &m_workflows.list.at(0);
  r.event = &m_event;
  r.repository = &*m_repo;
  r.masker = &m_masker;
  r.dry_run = true;
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.schedule.result, exec::Result::success);
  auto runs = m_store->recent_runs(10);
  ASSERT_TRUE(runs);
  EXPECT_TRUE(runs->empty());
}

TEST_F(ExecuteTest, TwoRunsShareTheHostSlotsAndNumbers) {
  setup_workflow("      - run: echo one\n");
  RunRequest first = request();
  RunRequest second = request();
  EXPECT_NE(first.id, second.id);
  EXPECT_EQ(second.run_number, first.run_number + 1);
  Sink sink;
  EXPECT_EQ(execute_run(first, m_host, *m_store, sink).schedule.result, exec::Result::success);
  EXPECT_EQ(execute_run(second, m_host, *m_store, sink).schedule.result, exec::Result::success);
  EXPECT_EQ(detail(second.id).run.run_number, second.run_number);
}

TEST_F(ExecuteTest, RequestMapsToRunSettings) {
  setup_workflow("      - run: echo hi\n");
  RunRequest r = request();
  r.run_number = 12;
  r.env = {{"DEBUG", "1"}};
  r.matrix_filters = {{"os", "linux"}};
  exec::RunSettings s = to_run_settings(r, m_host, "/jobs");
  EXPECT_EQ(s.run_id, r.id);
  EXPECT_EQ(s.run_number, 12);
  EXPECT_EQ(s.workflow_file, ".github/workflows/ci.yml");
  EXPECT_EQ(s.jobs_dir, "/jobs");
  EXPECT_EQ(s.data_dir, m_host.data_dir);
  EXPECT_EQ(s.project_dir, m_repo->info().root);
  EXPECT_EQ(s.scheduler.slots, m_host.slots);
  EXPECT_EQ(s.scheduler.parallel, 2u);
  EXPECT_EQ(s.extra_env, r.env);
  EXPECT_EQ(s.scheduler.matrix_filters, r.matrix_filters);
  EXPECT_EQ(s.actions.artifact_dir, path("data") + "/artifacts");
  EXPECT_EQ(s.actions.cache_store_dir, path("data") + "/cache");
}

class HostTest : public test_support::TempDirTest {};

TEST_F(HostTest, PreparesTheDataDirAndRefusesADottedWorkRoot) {
  HostOptions options;
  options.data_dir = path("data");
  options.work_dir = path("work");
  auto host = prepare_host(options);
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(path("data")));
  EXPECT_GE(host->parallel, 1u);  // 0 = the number of cores
  ASSERT_TRUE(host->slots);

  options.work_dir = path(".hidden/work");
  auto dotted = prepare_host(options);
  ASSERT_FALSE(dotted);
  EXPECT_NE(dotted.error().message.find(".hidden"), std::string::npos) << dotted.error().message;

  std::ofstream(path("file")) << "x";
  options.work_dir = path("work");
  options.data_dir = path("file/data");  // under a regular file
  EXPECT_FALSE(prepare_host(options));
}

TEST_F(ExecuteTest, UnusableWorkRootFailsTheRun) {
  setup_workflow("      - run: echo hi\n");
  m_host.work_root = path("not-a-dir");
  std::ofstream(m_host.work_root) << "x";
  RunRequest r = request();
  Sink sink;
  RunOutcome outcome = execute_run(r, m_host, *m_store, sink);
  EXPECT_TRUE(outcome.started);
  EXPECT_FALSE(outcome.error.empty());
  EXPECT_EQ(outcome.schedule.result, exec::Result::failure);
  EXPECT_EQ(detail(r.id).run.result, store::Result::failure);
}

}  // namespace
}  // namespace pipewright::pipeline
