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
  // run_number of its (repo, workflow file), attempt 1. Returns the stored record.
  virtual util::Expected<RunRecord> begin_run(const NewRun& run) = 0;
  // Records a new run, status queued, with no owner, the next run_number of its (repo,
  // workflow file) and created_at = run.started_at, for a later claim_run.
  virtual util::Expected<RunRecord> queue_run(const NewRun& run) = 0;
  // Takes a queued run: running, owned by this process, started_at set, its waiting
  // reason cleared. Fails when the run is unknown or not queued (another process
  // claimed it, or it was cancelled). Returns the updated record.
  virtual util::Expected<RunRecord> claim_run(RunId run, TimePoint started_at) = 0;
  // Starts the run's next attempt (a re-run): the run goes back to queued, without owner,
  // result or finish time, and the attempt number is returned; jobs added from now on
  // belong to it, while earlier attempts' jobs, steps and logs stay (run_detail(run, n)).
  // Fails when the run is unknown, not completed or interrupted, or has had
  // k_max_run_attempts attempts already.
  virtual util::Expected<int> begin_attempt(RunId run) = 0;
  // Marks the run completed with `result`.
  virtual util::Expected<void> finish_run(RunId run, Result result, TimePoint finished_at) = 0;
  // Sets why the run waits ('' clears it). Fails when the run is unknown.
  virtual util::Expected<void> set_run_waiting(RunId run, std::string_view reason) = 0;
  // Adds a job instance to the run's current attempt, status queued. Fails when the
  // run is unknown.
  virtual util::Expected<JobId> add_job(RunId run, const NewJob& job) = 0;
  // Marks the job running; clears its waiting reason.
  virtual util::Expected<void> start_job(JobId job, TimePoint started_at) = 0;
  // Marks the job completed; `reason` says why when skipped or cancelled ('' otherwise);
  // `outputs_json` is the job's outputs as a JSON object ('' for none), read back in
  // JobRecord::outputs_json (a re-run's needs.<job>.outputs of a job it carries over).
  virtual util::Expected<void> finish_job(JobId job, Result result, std::string_view reason,
                                          TimePoint finished_at,
                                          std::string_view outputs_json = {}) = 0;
  // Sets why the job waits ('' clears it). Fails when the job is unknown.
  virtual util::Expected<void> set_job_waiting(JobId job, std::string_view reason) = 0;
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

  // Marks runs that are still running but whose owner process is gone (killed, or the
  // machine rebooted) as interrupted, along with their unfinished jobs. Logs are kept.
  // Queued runs (no owner yet) stay queued. Returns the ids of the runs it marked.
  // Called by open_sqlite_store.
  virtual util::Expected<std::vector<RunId>> recover_interrupted() = 0;

  // -- Queries (the CLI) --

  // The most recent runs, newest first, at most `limit`.
  virtual util::Expected<std::vector<RunRecord>> recent_runs(int limit) = 0;
  // Page `page` (1-based) of the runs matching `filter`, newest first, `per_page` a
  // page (1..1000), with the number of matching runs. Fails on a page or per_page out
  // of range.
  virtual util::Expected<RunPage> list_runs(const RunFilter& filter, int page, int per_page) = 0;
  // One run with its jobs, steps, annotations and summaries of attempt `attempt`
  // (nullopt: the latest); nullopt when the run or the attempt is unknown. For an
  // earlier attempt the run's status, result, times and run_attempt are that attempt's.
  virtual util::Expected<std::optional<RunDetail>> run_detail(
      RunId run, std::optional<int> attempt = std::nullopt) = 0;
  // The id of the newest run ("last"); nullopt when there is none.
  virtual util::Expected<std::optional<RunId>> last_run() = 0;
  // The run_number the next run of `workflow_file` (in `repo`) will get (1 for the first).
  virtual util::Expected<int64_t> next_run_number(std::string_view workflow_file,
                                                  std::string_view repo = {}) = 0;
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

// Opens (creating when missing) the SQLite history in `data_dir` (history.db, WAL
// mode, schema migrated to the latest version) and recovers interrupted runs. Fails
// when the directory or database cannot be used or is newer than this build.
util::Expected<std::unique_ptr<Store>> open_sqlite_store(const std::string& data_dir);

}  // namespace pipewright::store
