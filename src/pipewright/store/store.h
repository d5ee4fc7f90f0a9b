// The run history (DESIGN.md `Store`): what the engine records while a workflow runs
// and what `pipewright history` / `pipewright logs` read back. The engine calls this
// interface directly; an adapter from exec's event sink will sit on top of it.
//
// Thread safety: every method may be called from any thread. Record writes are
// serialized; step logs are written in parallel, to separate files or (short ones) to
// memory, reaching the database in finish_step. Several processes may share one data
// directory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/store/log.h"
#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

namespace pipewright::store {

// Whether start_step opens a log for the step (skipped steps have none).
enum class StepLog { open, none };

struct StepStart {
  StepId id = 0;
  std::unique_ptr<LogWriter> log;        // null without StepLog::open or on log_error
  std::optional<util::Error> log_error;  // why the log could not be created
};

class Store {
 public:
  virtual ~Store() = default;

  // -- Recording (the engine) --

  // Records a new run, status running, owned by this process, with the next
  // run_number of its workflow file. Returns the stored record.
  virtual util::Expected<RunRecord> begin_run(const NewRun& run) = 0;
  // Marks the run completed with `result`.
  virtual util::Expected<void> finish_run(RunId run, Result result, TimePoint finished_at) = 0;
  // Adds a job instance to a run, status queued.
  virtual util::Expected<JobId> add_job(RunId run, const NewJob& job) = 0;
  virtual util::Expected<void> start_job(JobId job, TimePoint started_at) = 0;
  // Marks the job completed; `reason` says why when skipped or cancelled ('' otherwise).
  virtual util::Expected<void> finish_job(JobId job, Result result, std::string_view reason,
                                          TimePoint finished_at) = 0;
  // Records step `index` (0-based) of a job as started, in one write. With
  // StepLog::open it also opens the step's log, logs/<run>/<job>/<index>.log.zst under
  // the data dir (<job> is the JobId; the step's log_ref), flushed in the background
  // while it is open: append whole lines, already masked; the writer must not outlive
  // the store. The file is created at the log's first flush; a log closed before that
  // has none and goes to the database with finish_step (log.h). Fails (touching no log)
  // when the job is unknown or the index is taken. A log that cannot be opened does not
  // fail the step: it is recorded without a log and StepStart::log_error says why.
  virtual util::Expected<StepStart> start_step(JobId job, int index, std::string_view name,
                                               TimePoint started_at, StepLog log) = 0;
  // Records how the step ended, with what LogWriter::close() returned (its size and,
  // for a log without a file, the log itself), in one write.
  virtual util::Expected<void> finish_step(StepId step, const StepEnd& end) = 0;
  // Adds an annotation to a run (optionally tied to a job and step).
  virtual util::Expected<void> add_annotation(RunId run, const Annotation& annotation) = 0;
  // Appends a step summary (the step's $GITHUB_STEP_SUMMARY, already masked).
  virtual util::Expected<void> add_step_summary(StepId step, std::string_view markdown) = 0;

  // Marks runs that are still queued/running but whose owner process is gone (killed,
  // or the machine rebooted) as interrupted, along with their unfinished jobs. Logs are
  // kept. Returns the ids of the runs it marked. Called by open_store.
  virtual util::Expected<std::vector<RunId>> recover_interrupted() = 0;

  // -- Queries (the CLI) --

  // The most recent runs, newest first, at most `limit`.
  virtual util::Expected<std::vector<RunRecord>> recent_runs(int limit) = 0;
  // One run with its jobs, steps, annotations and summaries; nullopt when unknown.
  virtual util::Expected<std::optional<RunDetail>> run_detail(RunId run) = 0;
  // The id of the newest run ("last"); nullopt when there is none.
  virtual util::Expected<std::optional<RunId>> last_run() = 0;
  // The run_number the next run of `workflow_file` will get (1 for the first).
  virtual util::Expected<int64_t> next_run_number(std::string_view workflow_file) = 0;
  // Streams lines `range` of a step's log (as stored, i.e. masked) to `sink`, from the
  // database or the log file. A log whose file was never created (no flush yet, or the
  // engine died before one) reads as empty. Fails when the step is unknown or has no
  // log, or its file is missing although the step finished with output.
  virtual util::Expected<void> read_step_log(StepId step, LineRange range,
                                             const std::function<void(std::string_view)>& sink) = 0;

  // read_step_log into one string.
  util::Expected<std::string> step_log_text(StepId step, LineRange range = {});
  // The data directory this store lives in.
  virtual const std::string& data_dir() const = 0;
};

// Opens the history and recovers interrupted runs. `database`: "" or "sqlite:" for
// history.db in `data_dir` (created when missing, WAL mode), "sqlite:PATH" for another
// SQLite file, "postgresql://user:password@host:port/db" (or postgres://) for a
// PostgreSQL database (which must exist). The schema is migrated to the latest version
// either way; step logs stay under `data_dir`. Fails when the directory or database
// cannot be used or is newer than this build; errors never show the URL's password.
util::Expected<std::unique_ptr<Store>> open_store(const std::string& database,
                                                  const std::string& data_dir);

// open_store("", data_dir): the SQLite history in `data_dir`.
util::Expected<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir);

}  // namespace pipewright::store
