// Store on SQL (SQLite, or PostgreSQL with the same SQL through sql.h): one connection
// per store, guarded by a mutex (record writes are small; logs go to files outside the
// lock, and a short log reaches its row in finish_step's UPDATE, already compressed).
// WAL mode and a busy timeout let several pipewright processes share a SQLite database;
// run numbers are assigned inside a write-locked sql::Transaction (BEGIN IMMEDIATE, or
// PostgreSQL's advisory lock) so two processes never hand out the same one.
#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <unistd.h>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/schema.h"
#include "pipewright/store/sql.h"
#include "pipewright/store/store.h"

namespace pipewright::store {

namespace {

constexpr int k_busy_timeout_ms = 10000;
constexpr std::string_view k_active = "('queued', 'running')";

int64_t to_ms(TimePoint time) {
  return time.time_since_epoch().count();
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
    "finished_at, owner_pid, owner_boot_id";

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
  return run;
}

constexpr std::string_view k_job_columns =
    "id, run_id, job_id, name, matrix_json, status, result, reason, started_at, finished_at";

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

// The id an `INSERT ... RETURNING id` returned.
util::Expected<int64_t> inserted_id(sql::Statement& insert) {
  PW_TRY(row, insert.step());
  if (!row) return util::fail("history database: an INSERT returned no id");
  int64_t id = insert.integer(0);
  PW_TRY_VOID(insert.run());  // SQLite writes the row when stepped to the end
  return id;
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
    std::lock_guard lock(m_mutex);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(number, next_run_number_locked(run.workflow_file));
    PW_TRY(insert,
           m_db.prepare("INSERT INTO runs (workflow_file, workflow_name, run_number, event, ref, "
                        "sha, status, started_at, owner_pid, owner_boot_id, owner_start) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?) RETURNING id"));
    insert.bind(run.workflow_file, run.workflow_name, number, run.event, run.ref, run.sha,
                to_ms(run.started_at), m_self.pid, m_self.boot_id, m_self.start_ticks);
    PW_TRY(id, inserted_id(insert));
    RunRecord record{
        id,           run.workflow_file, run.workflow_name, number,       run.event,
        run.ref,      run.sha,           Status::running,   std::nullopt, run.started_at,
        std::nullopt, m_self.pid,        m_self.boot_id};
    PW_TRY_VOID(tx.commit());
    return record;
  }

  util::Expected<void> finish_run(RunId run, Result result, TimePoint finished_at) override {
    return update("run", run,
                  "UPDATE runs SET status = 'completed', result = ?, finished_at = ? WHERE id = ?",
                  to_string(result), to_ms(finished_at), run);
  }

  util::Expected<JobId> add_job(RunId run, const NewJob& job) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(insert, m_db.prepare("INSERT INTO jobs (run_id, job_id, name, matrix_json, status) "
                                "VALUES (?, ?, ?, ?, 'queued') RETURNING id"));
    insert.bind(run, job.job_id, job.name, job.matrix_json);
    PW_TRY(id, inserted_id(insert));
    m_jobs[id] = KnownJob{run};
    return id;
  }

  util::Expected<void> start_job(JobId job, TimePoint started_at) override {
    return update("job", job, "UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?",
                  to_ms(started_at), job);
  }

  util::Expected<void> finish_job(JobId job, Result result, std::string_view reason,
                                  TimePoint finished_at) override {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.erase(job);  // its steps are done; keeps the map to the jobs in progress
    }
    return update("job", job,
                  "UPDATE jobs SET status = 'completed', result = ?, reason = ?, finished_at = ? "
                  "WHERE id = ?",
                  to_string(result), reason, to_ms(finished_at), job);
  }

  // The INSERT comes first so that a taken index fails before any log is touched (it
  // would truncate the live log of the step that holds it); the log is created inside
  // the same transaction, so the step row and its log_ref are one write.
  util::Expected<StepStart> start_step(JobId job, int index, std::string_view name,
                                       TimePoint started_at, StepLog log) override {
    std::lock_guard lock(m_mutex);
    StepStart start;
    if (log == StepLog::none) {
      PW_TRY(id, insert_step(job, index, name, started_at, ""));
      start.id = id;
      return start;
    }
    PW_TRY(known, known_job(job));
    // The file (and its directory) come at the log's first flush, if ever.
    std::string ref = fmt::format("logs/{}/{}/{}.log.zst", known->run, job, index);
    PW_TRY(tx, sql::Transaction::begin(m_db));
    PW_TRY(id, insert_step(job, index, name, started_at, ref));
    start.id = id;
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
                                "file, line, col, title, message) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.bind(run, a.job, a.step, to_string(a.severity), a.file, a.line, a.column, a.title,
                a.message);
    return insert.run();
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
                                    "WHERE status IN {} ORDER BY id",
                                    k_active)));
    std::vector<RunId> dead;
    for (;;) {
      PW_TRY(row, query.step());
      if (!row) break;
      ProcessIdentity owner{query.integer(1), query.text(2), query.integer(3)};
      if (!process_alive(owner)) dead.push_back(query.integer(0));
    }
    for (RunId run : dead) {
      PW_TRY(mark_run, m_db.prepare("UPDATE runs SET status = 'interrupted' WHERE id = ?"));
      mark_run.bind(run);
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

  util::Expected<std::optional<RunDetail>> run_detail(RunId run) override {
    std::lock_guard lock(m_mutex);
    PW_TRY(run_query, m_db.prepare(fmt::format("SELECT {} FROM runs WHERE id = ?", k_run_columns)));
    run_query.bind(run);
    PW_TRY(found, run_query.step());
    if (!found) return std::optional<RunDetail>();
    RunDetail detail;
    detail.run = read_run(run_query);
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

  util::Expected<int64_t> next_run_number(std::string_view workflow_file) override {
    std::lock_guard lock(m_mutex);
    return next_run_number_locked(workflow_file);
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

  util::Expected<StepId> insert_step(JobId job, int index, std::string_view name,
                                     TimePoint started_at, std::string_view log_ref) {
    PW_TRY(insert, m_db.prepare("INSERT INTO steps (job_id, idx, name, started_at, log_ref) "
                                "VALUES (?, ?, ?, ?, ?) RETURNING id"));
    insert.bind(job, index, name, to_ms(started_at), log_ref);
    return inserted_id(insert);
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

  util::Expected<int64_t> next_run_number_locked(std::string_view workflow_file) {
    PW_TRY(query, m_db.prepare(
                      "SELECT COALESCE(MAX(run_number), 0) + 1 FROM runs WHERE workflow_file = ?"));
    query.bind(workflow_file);
    PW_TRY(row, query.step());
    if (!row) return int64_t{1};
    return query.integer(0);
  }

  util::Expected<void> read_jobs(RunDetail& detail) {
    PW_TRY(jobs, m_db.prepare(fmt::format("SELECT {} FROM jobs WHERE run_id = ? ORDER BY id",
                                          k_job_columns)));
    jobs.bind(detail.run.id);
    std::map<JobId, size_t> position;
    for (;;) {
      PW_TRY(row, jobs.step());
      if (!row) break;
      position[jobs.integer(0)] = detail.jobs.size();
      detail.jobs.push_back(JobDetail{read_job(jobs), {}});
    }
    PW_TRY(steps, m_db.prepare(fmt::format("SELECT {} FROM steps s JOIN jobs j ON j.id = s.job_id "
                                           "WHERE j.run_id = ? ORDER BY s.job_id, s.idx",
                                           k_step_columns)));
    steps.bind(detail.run.id);
    for (;;) {
      PW_TRY(row, steps.step());
      if (!row) return {};
      StepRecord step = read_step(steps);
      detail.jobs[position.at(step.job_id)].steps.push_back(std::move(step));
    }
  }

  util::Expected<void> read_annotations(RunDetail& detail) {
    PW_TRY(query, m_db.prepare("SELECT job_id, step_id, severity, file, line, col, title, message "
                               "FROM annotations WHERE run_id = ? ORDER BY id"));
    query.bind(detail.run.id);
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
                               "WHERE j.run_id = ? ORDER BY m.id"));
    query.bind(detail.run.id);
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

util::Expected<std::unique_ptr<Store>> open_store(const std::string& database,
                                                  const std::string& data_dir) {
  PW_TRY_VOID(prepare_data_dir(data_dir));
  std::optional<sql::Database> db;
  if (database.starts_with("postgresql://") || database.starts_with("postgres://")) {
    PW_TRY(connected, sql::Database::connect(database, k_busy_timeout_ms));
    db.emplace(std::move(connected));
  } else if (database.empty() || database.starts_with("sqlite:")) {
    std::string path = database.size() > 7 ? database.substr(7) : data_dir + "/history.db";
    PW_TRY(opened, sql::Database::open(path, k_busy_timeout_ms));
    db.emplace(std::move(opened));
  } else {
    return util::fail(fmt::format("unknown history database '{}'", sql::redact_url(database)), {},
                      "give postgresql://user:password@host:port/dbname, or sqlite: (the "
                      "default, history.db in the data directory) or sqlite:PATH");
  }
  PW_TRY_VOID(migrate(*db));
  auto store = std::make_unique<SqliteStore>(data_dir, std::move(*db));
  PW_TRY_VOID(store->recover_interrupted());
  return std::unique_ptr<Store>(std::move(store));
}

util::Expected<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir) {
  return open_store("", data_dir);
}

}  // namespace pipewright::store
