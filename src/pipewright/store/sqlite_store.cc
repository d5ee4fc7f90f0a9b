// Store on SQLite: one connection per process, guarded by a mutex (record writes are
// small; logs go to files outside the lock, and a short log reaches its row in
// finish_step's UPDATE, already compressed). WAL mode and a busy timeout let several
// pipewright processes share the database; run numbers are assigned inside an
// IMMEDIATE transaction so two processes never hand out the same one.
#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/schema.h"
#include "pipewright/store/sqlite.h"
#include "pipewright/store/store.h"

namespace pipewright::store {

namespace {

constexpr int k_busy_timeout_ms = 10000;
constexpr std::string_view k_active = "('queued', 'running')";
// Bumps a run's updated_at to `now` (bound twice), never backwards.
constexpr std::string_view k_touch =
    "updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END";
constexpr int k_max_per_page = 1000;

int64_t to_ms(TimePoint time) {
  return time.time_since_epoch().count();
}
int64_t now_ms() {
  return to_ms(std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()));
}
TimePoint from_ms(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

std::optional<TimePoint> optional_time(const sql::Statement& stmt, int column) {
  auto ms = stmt.optional_integer(column);
  if (!ms) return std::nullopt;
  return from_ms(*ms);
}

std::optional<Result> optional_result(const sql::Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return parse_result(stmt.text(column));
}

constexpr std::string_view k_run_columns =
    "id, workflow_file, workflow_name, run_number, event, ref, sha, status, result, started_at, "
    "finished_at, owner_pid, owner_boot_id, repo, head_branch, run_attempt, created_at, "
    "updated_at, waiting_reason";

RunRecord read_run(const sql::Statement& stmt) {
  RunRecord run;
  run.id = stmt.integer(0);
  run.workflow_file = stmt.text(1);
  run.workflow_name = stmt.text(2);
  run.run_number = stmt.integer(3);
  run.event = stmt.text(4);
  run.ref = stmt.text(5);
  run.sha = stmt.text(6);
  run.status = parse_status(stmt.text(7)).value_or(Status::interrupted);
  run.result = optional_result(stmt, 8);
  run.started_at = from_ms(stmt.integer(9));
  run.finished_at = optional_time(stmt, 10);
  run.owner_pid = stmt.integer(11);
  run.owner_boot_id = stmt.text(12);
  run.repo = stmt.text(13);
  run.head_branch = stmt.text(14);
  run.run_attempt = static_cast<int>(stmt.integer(15));
  run.created_at = from_ms(stmt.integer(16));
  run.updated_at = from_ms(stmt.integer(17));
  run.waiting_reason = stmt.text(18);
  return run;
}

constexpr std::string_view k_job_columns =
    "id, run_id, job_id, name, matrix_json, status, result, reason, started_at, finished_at, "
    "run_attempt, waiting_reason, outputs_json";

JobRecord read_job(const sql::Statement& stmt) {
  JobRecord job;
  job.id = stmt.integer(0);
  job.run_id = stmt.integer(1);
  job.job_id = stmt.text(2);
  job.name = stmt.text(3);
  job.matrix_json = stmt.text(4);
  job.status = parse_status(stmt.text(5)).value_or(Status::interrupted);
  job.result = optional_result(stmt, 6);
  job.reason = stmt.text(7);
  job.started_at = optional_time(stmt, 8);
  job.finished_at = optional_time(stmt, 9);
  job.run_attempt = static_cast<int>(stmt.integer(10));
  job.waiting_reason = stmt.text(11);
  job.outputs_json = stmt.text(12);
  return job;
}

constexpr std::string_view k_step_columns =
    "s.id, s.job_id, s.idx, s.name, s.outcome, s.conclusion, s.started_at, s.finished_at, "
    "s.log_ref, s.log_bytes, s.log_lines";

StepRecord read_step(const sql::Statement& stmt) {
  StepRecord step;
  step.id = stmt.integer(0);
  step.job_id = stmt.integer(1);
  step.index = static_cast<int>(stmt.integer(2));
  step.name = stmt.text(3);
  step.outcome = optional_result(stmt, 4);
  step.conclusion = optional_result(stmt, 5);
  step.started_at = from_ms(stmt.integer(6));
  step.finished_at = optional_time(stmt, 7);
  step.log_ref = stmt.text(8);
  step.log.bytes = stmt.integer(9);
  step.log.lines = stmt.integer(10);
  return step;
}

util::Expected<void> expect_changed(sql::Database& db, std::string_view what, int64_t id) {
  if (db.changes() == 0) return util::fail(fmt::format("history: no {} with id {}", what, id));
  return {};
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string dir, sql::Database db)
      : m_dir(std::move(dir)),
        m_db(std::move(db)),
        m_self(current_process()),
        m_flusher(std::make_shared<LogFlusher>()) {}

  util::Expected<RunRecord> begin_run(const NewRun& run) override {
    return insert_run(run, Status::running);
  }

  util::Expected<RunRecord> queue_run(const NewRun& run) override {
    return insert_run(run, Status::queued);
  }

  util::Expected<RunRecord> claim_run(RunId run, TimePoint started_at) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(claim, m_db.prepare(fmt::format(
                      "UPDATE runs SET status = 'running', started_at = ?, waiting_reason = '', "
                      "owner_pid = ?, owner_boot_id = ?, owner_start = ?, {} "
                      "WHERE id = ? AND status = 'queued'",
                      k_touch)));
    int64_t now = now_ms();
    claim.bind(to_ms(started_at), m_self.pid, m_self.boot_id, m_self.start_ticks, now, now, run);
    PW_TRY_VOID(claim.run());
    bool claimed = m_db.changes() > 0;
    PW_TRY(record, read_run_locked(run));
    if (!record) return util::fail(fmt::format("history: no run with id {}", run));
    if (!claimed)
      return util::fail(fmt::format("history: run {} is {}, not queued: it cannot be claimed", run,
                                    to_string(record->status)));
    PW_TRY_VOID(tx.commit());
    return std::move(*record);
  }

  util::Expected<int> begin_attempt(RunId run) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(record, read_run_locked(run));
    if (!record) return util::fail(fmt::format("history: no run with id {}", run));
    if (record->status != Status::completed && record->status != Status::interrupted)
      return util::fail(
          fmt::format("history: run {} is {}: only a completed or interrupted run can be re-run",
                      run, to_string(record->status)),
          {}, "wait for the run to finish, or cancel it first");
    if (record->run_attempt >= k_max_run_attempts)
      return util::fail(
          fmt::format("run {} has reached the limit of {} attempts: workflows are limited to {} "
                      "re-runs",
                      run, k_max_run_attempts, k_max_run_attempts),
          {}, "start a new run instead (push a commit or dispatch the workflow)");
    // The ending attempt is kept as it was, for run_detail(run, attempt).
    PW_TRY(keep, m_db.prepare("INSERT INTO run_attempts (run_id, attempt, status, result, "
                              "started_at, finished_at) "
                              "SELECT id, run_attempt, status, result, started_at, finished_at "
                              "FROM runs WHERE id = ?"));
    keep.bind(run);
    PW_TRY_VOID(keep.run());
    PW_TRY(requeue, m_db.prepare(fmt::format(
                        "UPDATE runs SET run_attempt = run_attempt + 1, status = 'queued', "
                        "result = NULL, finished_at = NULL, waiting_reason = '', owner_pid = 0, "
                        "owner_boot_id = '', owner_start = 0, {} WHERE id = ?",
                        k_touch)));
    int64_t now = now_ms();
    requeue.bind(now, now, run);
    PW_TRY_VOID(requeue.run());
    PW_TRY_VOID(tx.commit());
    return record->run_attempt + 1;
  }

  util::Expected<void> finish_run(RunId run, Result result, TimePoint finished_at) override {
    int64_t now = now_ms();
    return update("run", run,
                  fmt::format("UPDATE runs SET status = 'completed', result = ?, finished_at = ?, "
                              "waiting_reason = '', {} WHERE id = ?",
                              k_touch),
                  to_string(result), to_ms(finished_at), now, now, run);
  }

  util::Expected<void> set_run_waiting(RunId run, std::string_view reason) override {
    int64_t now = now_ms();
    return update("run", run,
                  fmt::format("UPDATE runs SET waiting_reason = ?, {} WHERE id = ?", k_touch),
                  reason, now, now, run);
  }

  util::Expected<JobId> add_job(RunId run, const NewJob& job) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    // The job belongs to the run's current attempt; no row comes back for an unknown run.
    PW_TRY(insert, m_db.prepare("INSERT INTO jobs (run_id, job_id, name, matrix_json, status, "
                                "run_attempt) "
                                "SELECT id, ?, ?, ?, 'queued', run_attempt FROM runs WHERE id = ? "
                                "RETURNING id"));
    insert.bind(job.job_id, job.name, job.matrix_json, run);
    PW_TRY(inserted, insert.step());
    if (!inserted) return util::fail(fmt::format("history: no run with id {}", run));
    JobId id = insert.integer(0);
    PW_TRY_VOID(insert.run());
    PW_TRY_VOID(touch_run(run));
    PW_TRY_VOID(tx.commit());
    m_jobs[id] = KnownJob{run};
    return id;
  }

  util::Expected<void> start_job(JobId job, TimePoint started_at) override {
    return update_job(job,
                      "UPDATE jobs SET status = 'running', started_at = ?, waiting_reason = '' "
                      "WHERE id = ?",
                      to_ms(started_at), job);
  }

  util::Expected<void> finish_job(JobId job, Result result, std::string_view reason,
                                  TimePoint finished_at, std::string_view outputs_json) override {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.erase(job);  // its steps are done; keeps the map to the jobs in progress
    }
    return update_job(job,
                      "UPDATE jobs SET status = 'completed', result = ?, reason = ?, "
                      "finished_at = ?, outputs_json = ?, waiting_reason = '' WHERE id = ?",
                      to_string(result), reason, to_ms(finished_at), outputs_json, job);
  }

  util::Expected<void> set_job_waiting(JobId job, std::string_view reason) override {
    return update_job(job, "UPDATE jobs SET waiting_reason = ? WHERE id = ?", reason, job);
  }

  // The INSERT comes first so that a taken index fails before any log is touched (it
  // would truncate the live log of the step that holds it); the log is created inside
  // the same transaction, so the step row and its log_ref are one write.
  util::Expected<StepStart> start_step(JobId job, int index, std::string_view name,
                                       TimePoint started_at, StepLog log) override {
    std::lock_guard lock(m_mutex);
    StepStart start;
    if (log == StepLog::none) {
      PW_TRY_VOID(insert_step(job, index, name, started_at, ""));
      start.id = m_db.last_insert_rowid();
      return start;
    }
    PW_TRY(known, known_job(job));
    // The file (and its directory) come at the log's first flush, if ever.
    std::string ref = fmt::format("logs/{}/{}/{}.log.zst", known->run, job, index);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY_VOID(insert_step(job, index, name, started_at, ref));
    start.id = m_db.last_insert_rowid();
    auto writer = LogWriter::create(m_dir + "/" + ref);
    if (writer) {
      start.log = std::move(*writer);
    } else {
      start.log_error = std::move(writer.error());
      PW_TRY(clear_ref, m_db.prepare("UPDATE steps SET log_ref = '' WHERE id = ?"));
      clear_ref.bind(start.id);
      PW_TRY_VOID(clear_ref.run());
    }
    PW_TRY_VOID(tx.commit());
    if (start.log) start.log->attach(m_flusher);
    return start;
  }

  util::Expected<void> finish_step(StepId step, const StepEnd& end) override {
    std::optional<sql::Blob> inline_log;
    if (end.log.inline_zstd) inline_log = sql::Blob{*end.log.inline_zstd};
    return update("step", step,
                  "UPDATE steps SET outcome = ?, conclusion = ?, finished_at = ?, log_bytes = ?, "
                  "log_lines = ?, log_inline = ? WHERE id = ?",
                  to_string(end.outcome), to_string(end.conclusion), to_ms(end.finished_at),
                  end.log.stats.bytes, end.log.stats.lines, inline_log, step);
  }

  util::Expected<void> add_annotation(RunId run, const Annotation& a) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(insert, m_db.prepare("INSERT INTO annotations (run_id, job_id, step_id, severity, "
                                "file, line, col, title, message, run_attempt) "
                                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, run_attempt FROM runs "
                                "WHERE id = ?"));
    insert.bind(run, a.job, a.step, to_string(a.severity), a.file, a.line, a.column, a.title,
                a.message, run);
    PW_TRY_VOID(insert.run());
    return expect_changed(m_db, "run", run);
  }

  util::Expected<void> add_step_summary(StepId step, std::string_view markdown) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(insert, m_db.prepare("INSERT INTO step_summaries (step_id, markdown) VALUES (?, ?)"));
    insert.bind(step, markdown);
    return insert.run();
  }

  util::Expected<std::vector<RunId>> recover_interrupted() override {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(query,
           m_db.prepare(fmt::format("SELECT id, owner_pid, owner_boot_id, owner_start FROM runs "
                                    "WHERE status = 'running' ORDER BY id")));
    std::vector<RunId> dead;
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) break;
      ProcessIdentity owner{query.integer(1), query.text(2), query.integer(3)};
      if (!process_alive(owner)) dead.push_back(query.integer(0));
    }
    for (RunId run : dead) {
      PW_TRY(mark_run, m_db.prepare(fmt::format(
                           "UPDATE runs SET status = 'interrupted', {} WHERE id = ?", k_touch)));
      int64_t now = now_ms();
      mark_run.bind(now, now, run);
      PW_TRY_VOID(mark_run.run());
      PW_TRY(mark_jobs, m_db.prepare(fmt::format(
                            "UPDATE jobs SET status = 'interrupted' WHERE run_id = ? AND status "
                            "IN {}",
                            k_active)));
      mark_jobs.bind(run);
      PW_TRY_VOID(mark_jobs.run());
    }
    PW_TRY_VOID(tx.commit());
    return dead;
  }

  util::Expected<std::vector<RunRecord>> recent_runs(int limit) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(query, m_db.prepare(
                      fmt::format("SELECT {} FROM runs ORDER BY id DESC LIMIT ?", k_run_columns)));
    query.bind(limit);
    std::vector<RunRecord> runs;
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) return runs;
      runs.push_back(read_run(query));
    }
  }

  util::Expected<RunPage> list_runs(const RunFilter& filter, int page, int per_page) override {
    if (page < 1) return util::fail(fmt::format("history: page {} is out of range (from 1)", page));
    if (per_page < 1 || per_page > k_max_per_page)
      return util::fail(
          fmt::format("history: per_page {} is out of range (1 to {})", per_page, k_max_per_page));
    // One condition per filter field set; the statement text (and so its cached
    // statement) depends only on which fields are set.
    std::string where;
    std::vector<std::string> values;
    auto match = [&](std::string_view column, std::string value) {
      where += where.empty() ? " WHERE " : " AND ";
      where += fmt::format("{} = ?", column);
      values.push_back(std::move(value));
    };
    if (filter.repo) match("repo", *filter.repo);
    if (filter.branch) match("head_branch", *filter.branch);
    if (filter.event) match("event", *filter.event);
    if (filter.status) match("status", std::string(to_string(*filter.status)));
    if (filter.result) match("result", std::string(to_string(*filter.result)));
    if (filter.workflow_file) match("workflow_file", *filter.workflow_file);

    std::lock_guard lock(m_mutex);
    RunPage result;
    PW_TRY(count, m_db.prepare(fmt::format("SELECT COUNT(*) FROM runs{}", where)));
    for (size_t i = 0; i < values.size(); ++i)
      count.bind_at(static_cast<int>(i) + 1, values[i]);
    PW_TRY(counted, count.step());
    if (counted) result.total_count = count.integer(0);
    PW_TRY(query,
           m_db.prepare(fmt::format("SELECT {} FROM runs{} ORDER BY id DESC LIMIT ? OFFSET ?",
                                    k_run_columns, where)));
    int index = 0;
    for (const std::string& value : values)
      query.bind_at(++index, value);
    query.bind_at(++index, int64_t{per_page});
    query.bind_at(++index, int64_t{page - 1} * per_page);
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) return result;
      result.runs.push_back(read_run(query));
    }
  }

  util::Expected<std::optional<RunDetail>> run_detail(RunId run,
                                                      std::optional<int> attempt) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(record, read_run_locked(run));
    if (!record) return std::optional<RunDetail>();
    RunDetail detail;
    detail.run = std::move(*record);
    if (attempt && *attempt != detail.run.run_attempt) {
      PW_TRY(found, read_attempt(detail.run, *attempt));
      if (!found) return std::optional<RunDetail>();
    }
    PW_TRY_VOID(read_jobs(detail));
    PW_TRY_VOID(read_annotations(detail));
    PW_TRY_VOID(read_summaries(detail));
    return std::optional<RunDetail>(std::move(detail));
  }

  util::Expected<std::optional<RunId>> last_run() override {
    std::lock_guard lock(m_mutex);
    PW_TRY(query, m_db.prepare("SELECT MAX(id) FROM runs"));
    PW_TRY(row, query.step());
    if (!row) return std::optional<RunId>();
    return query.optional_integer(0);
  }

  util::Expected<int64_t> next_run_number(std::string_view workflow_file,
                                          std::string_view repo) override {
    std::lock_guard lock(m_mutex);
    return next_run_number_locked(workflow_file, repo);
  }

  util::Expected<void> read_step_log(StepId step, LineRange range,
                                     const std::function<void(std::string_view)>& sink) override {
    std::string ref;
    std::optional<std::string> inline_log;
    bool size_recorded = false;
    {
      std::lock_guard lock(m_mutex);
      PW_TRY(query, m_db.prepare("SELECT log_ref, log_inline, finished_at IS NOT NULL AND "
                                 "log_bytes > 0 FROM steps WHERE id = ?"));
      query.bind(step);
      PW_TRY(found, query.step());
      if (!found) return util::fail(fmt::format("history: no step with id {}", step));
      ref = query.text(0);
      inline_log = query.optional_blob(1);
      size_recorded = query.integer(2) != 0;
    }
    if (ref.empty()) return util::fail(fmt::format("history: step {} has no log", step));
    if (inline_log) return read_inline_log(*inline_log, range, sink);
    std::string path = m_dir + "/" + ref;
    auto read = read_log(path, range, sink);
    // No file and no recorded size: the log never reached its first flush (the step is
    // running, or its engine died first), so there is nothing to show yet.
    if (!read && !size_recorded && ::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return {};
    return read;
  }

  const std::string& data_dir() const override { return m_dir; }

 private:
  // A job this store has seen: its run (for the log path), so that a step's start
  // needs no SELECT.
  struct KnownJob {
    RunId run = 0;
  };

  // The job from the map, else (a job added by another store instance) from the
  // database. Fails when the job is unknown. Called with m_mutex held.
  util::Expected<KnownJob*> known_job(JobId job) {
    if (auto it = m_jobs.find(job); it != m_jobs.end()) return &it->second;
    PW_TRY(query, m_db.prepare("SELECT run_id FROM jobs WHERE id = ?"));
    query.bind(job);
    PW_TRY(found, query.step());
    if (!found) return util::fail(fmt::format("history: no job with id {}", job));
    return &(m_jobs[job] = KnownJob{query.integer(0)});
  }

  util::Expected<void> insert_step(JobId job, int index, std::string_view name,
                                   TimePoint started_at, std::string_view log_ref) {
    PW_TRY(insert, m_db.prepare("INSERT INTO steps (job_id, idx, name, started_at, log_ref) "
                                "VALUES (?, ?, ?, ?, ?)"));
    insert.bind(job, index, name, to_ms(started_at), log_ref);
    return insert.run();
  }

  // Inserts a run, running and owned by this process or queued without owner, with the
  // next run_number of its (repo, workflow file), in one IMMEDIATE transaction so that
  // two processes never hand out the same number.
  util::Expected<RunRecord> insert_run(const NewRun& run, Status status) {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(number, next_run_number_locked(run.workflow_file, run.repo));
    PW_TRY(insert,
           m_db.prepare("INSERT INTO runs (repo, workflow_file, workflow_name, run_number, event, "
                        "ref, head_branch, sha, status, created_at, started_at, updated_at, "
                        "owner_pid, owner_boot_id, owner_start) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    ProcessIdentity owner = status == Status::running ? m_self : ProcessIdentity{};
    int64_t at = to_ms(run.started_at);
    insert.bind(run.repo, run.workflow_file, run.workflow_name, number, run.event, run.ref,
                run.head_branch, run.sha, to_string(status), at, at, std::max(at, now_ms()),
                owner.pid, owner.boot_id, owner.start_ticks);
    PW_TRY(inserted, insert.step());
    if (!inserted) return util::fail("history: the new run got no id");
    RunId id = insert.integer(0);
    PW_TRY_VOID(insert.run());
    PW_TRY(record, read_run_locked(id));
    PW_TRY_VOID(tx.commit());
    return std::move(*record);
  }

  // The run's record; nullopt when unknown. Called with m_mutex held.
  util::Expected<std::optional<RunRecord>> read_run_locked(RunId run) {
    PW_TRY(query, m_db.prepare(fmt::format("SELECT {} FROM runs WHERE id = ?", k_run_columns)));
    query.bind(run);
    PW_TRY(found, query.step());
    if (!found) return std::optional<RunRecord>();
    return std::optional<RunRecord>(read_run(query));
  }

  // Overlays what `run` was in an earlier attempt; false when it had no such attempt.
  util::Expected<bool> read_attempt(RunRecord& run, int attempt) {
    PW_TRY(query, m_db.prepare("SELECT status, result, started_at, finished_at FROM run_attempts "
                               "WHERE run_id = ? AND attempt = ?"));
    query.bind(run.id, attempt);
    PW_TRY(found, query.step());
    if (!found) return false;
    run.run_attempt = attempt;
    run.status = parse_status(query.text(0)).value_or(Status::interrupted);
    run.result = optional_result(query, 1);
    run.started_at = from_ms(query.integer(2));
    run.finished_at = optional_time(query, 3);
    run.waiting_reason.clear();
    return true;
  }

  // Bumps the run's updated_at. Called with m_mutex held.
  util::Expected<void> touch_run(RunId run) {
    PW_TRY(touch, m_db.prepare(fmt::format("UPDATE runs SET {} WHERE id = ?", k_touch)));
    int64_t now = now_ms();
    touch.bind(now, now, run);
    return touch.run();
  }

  // Runs an UPDATE of one job and bumps its run's updated_at, in one transaction;
  // fails when no job has that id.
  template <class... Args>
  util::Expected<void> update_job(JobId job, std::string_view sql, Args&&... args) {
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(stmt, m_db.prepare(sql));
    stmt.bind(std::forward<Args>(args)...);
    PW_TRY_VOID(stmt.run());
    PW_TRY_VOID(expect_changed(m_db, "job", job));
    PW_TRY(touch,
           m_db.prepare(fmt::format(
               "UPDATE runs SET {} WHERE id = (SELECT run_id FROM jobs WHERE id = ?)", k_touch)));
    int64_t now = now_ms();
    touch.bind(now, now, job);
    PW_TRY_VOID(touch.run());
    return tx.commit();
  }

  // Runs an UPDATE of one row; fails when no row has that id.
  template <class... Args>
  util::Expected<void> update(std::string_view what, int64_t id, std::string_view sql,
                              Args&&... args) {
    std::lock_guard lock(m_mutex);
    PW_TRY(stmt, m_db.prepare(sql));
    stmt.bind(std::forward<Args>(args)...);
    PW_TRY_VOID(stmt.run());
    return expect_changed(m_db, what, id);
  }

  util::Expected<int64_t> next_run_number_locked(std::string_view workflow_file,
                                                 std::string_view repo) {
    PW_TRY(query, m_db.prepare("SELECT COALESCE(MAX(run_number), 0) + 1 FROM runs "
                               "WHERE repo = ? AND workflow_file = ?"));
    query.bind(repo, workflow_file);
    PW_TRY(row, query.step());
    if (!row) return int64_t{1};
    return query.integer(0);
  }

  util::Expected<void> read_jobs(RunDetail& detail) {
    PW_TRY(jobs, m_db.prepare(fmt::format(
                     "SELECT {} FROM jobs WHERE run_id = ? AND run_attempt = ? ORDER BY id",
                     k_job_columns)));
    jobs.bind(detail.run.id, detail.run.run_attempt);
    std::map<JobId, size_t> position;
    for (;;) {
      PW_TRY(row, jobs.step());
      if (!row) break;
      position[jobs.integer(0)] = detail.jobs.size();
      detail.jobs.push_back(JobDetail{read_job(jobs), {}});
    }
    PW_TRY(steps, m_db.prepare(fmt::format("SELECT {} FROM steps s JOIN jobs j ON j.id = s.job_id "
                                           "WHERE j.run_id = ? AND j.run_attempt = ? "
                                           "ORDER BY s.job_id, s.idx",
                                           k_step_columns)));
    steps.bind(detail.run.id, detail.run.run_attempt);
    for (;;) {
      PW_TRY(row, steps.step());
      if (!row) return {};
      StepRecord step = read_step(steps);
      detail.jobs[position.at(step.job_id)].steps.push_back(std::move(step));
    }
  }

  util::Expected<void> read_annotations(RunDetail& detail) {
    PW_TRY(query,
           m_db.prepare("SELECT job_id, step_id, severity, file, line, col, title, message "
                        "FROM annotations WHERE run_id = ? AND run_attempt = ? ORDER BY id"));
    query.bind(detail.run.id, detail.run.run_attempt);
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) return {};
      Annotation a;
      a.job = query.optional_integer(0);
      a.step = query.optional_integer(1);
      a.severity = parse_severity(query.text(2)).value_or(Severity::error);
      a.file = query.text(3);
      a.line = static_cast<int>(query.integer(4));
      a.column = static_cast<int>(query.integer(5));
      a.title = query.text(6);
      a.message = query.text(7);
      detail.annotations.push_back(std::move(a));
    }
  }

  util::Expected<void> read_summaries(RunDetail& detail) {
    PW_TRY(query, m_db.prepare("SELECT m.step_id, m.markdown FROM step_summaries m "
                               "JOIN steps s ON s.id = m.step_id JOIN jobs j ON j.id = s.job_id "
                               "WHERE j.run_id = ? AND j.run_attempt = ? ORDER BY m.id"));
    query.bind(detail.run.id, detail.run.run_attempt);
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) return {};
      detail.summaries.push_back(StepSummary{query.integer(0), query.text(1)});
    }
  }

  std::string m_dir;
  std::mutex m_mutex;
  sql::Database m_db;
  ProcessIdentity m_self;
  std::shared_ptr<LogFlusher> m_flusher;
  std::unordered_map<JobId, KnownJob> m_jobs;  // jobs in progress (until finish_job)
};

}  // namespace

util::Expected<std::string> Store::step_log_text(StepId step, LineRange range) {
  std::string text;
  PW_TRY_VOID(read_step_log(step, range, [&](std::string_view bytes) { text.append(bytes); }));
  return text;
}

util::Expected<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir) {
  PW_TRY_VOID(prepare_data_dir(data_dir));
  PW_TRY(db, sql::Database::open(data_dir + "/history.db", k_busy_timeout_ms));
  PW_TRY_VOID(migrate(db));
  auto store = std::make_unique<SqliteStore>(data_dir, std::move(db));
  PW_TRY_VOID(store->recover_interrupted());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace pipewright::store
