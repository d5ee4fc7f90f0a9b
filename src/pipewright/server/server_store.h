// What the server keeps besides the run history: registered repositories, accepted
// deliveries (the durable inbox every trigger goes through), which runs each delivery
// queued, secrets (sealed), variables, API tokens (hashed) and small state (the last
// cron check). Same database as the history (store/), its own tables.
//
// Thread safety: every method may be called from any thread (one connection, a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

namespace pipewright::server {

using store::TimePoint;

struct Repo {
  std::string full_name;       // OWNER/NAME, as registered (compared case-insensitively)
  std::string source;          // local path or git URL
  std::string webhook_secret;  // sealed (SecretBox); '' = none: its webhooks are refused (401)
  std::string default_branch;  // '' = the source's HEAD branch
  int64_t poll_seconds = 0;    // 0 = no polling
  TimePoint created_at;
};

// Where a delivery came from.
enum class Source { webhook, dispatch, schedule, poll, workflow_run, rerun };
std::string_view to_string(Source source);

// pending: accepted, not yet turned into runs; processed: its runs are queued;
// ignored: starts nothing (the note says why); failed: could not be processed (note).
enum class DeliveryState { pending, processed, ignored, failed };
std::string_view to_string(DeliveryState state);

struct NewDelivery {
  std::string key;  // unique: "github:<X-GitHub-StoredDelivery>", "schedule:<file>:<minute>", ...
  Source source = Source::webhook;
  std::string repo;
  std::string event;  // push, pull_request, workflow_dispatch, schedule, ...
  std::string body;   // the raw payload (webhooks) or our own JSON (dispatch, schedule)
  TimePoint received_at;
};

struct StoredDelivery {
  int64_t id = 0;
  std::string key;
  Source source = Source::webhook;
  std::string repo;
  std::string event;
  std::string body;
  TimePoint received_at;
  DeliveryState state = DeliveryState::pending;
  std::string note;
};

// Accepting a delivery: new, or a repeat of one already stored (same key).
struct Accepted {
  int64_t id = 0;
  bool duplicate = false;
};

// What a queued run was started for (kept for re-runs and the API).
struct RunTrigger {
  store::RunId run_id = 0;
  int64_t delivery_id = 0;
  std::string repo;
  std::string workflow_file;
  std::string event;
  std::string ref;
  std::string sha;
  std::string payload_json;  // github.event
  std::string inputs_json;   // workflow_dispatch inputs ('' when none)
  std::string carry_json;    // re-runs: jobs carried over from the previous attempt ('' none)
};

struct SecretInfo {
  std::string name;
  TimePoint created_at;
  TimePoint updated_at;
};

struct Variable {
  std::string name;
  std::string value;
  TimePoint created_at;
  TimePoint updated_at;
};

class ServerStore {
 public:
  // Opens the server's tables in the history database (creating them): `database` as
  // store::open_store takes it ("" = SQLite in `data_dir`, or a postgresql:// URL).
  static util::Expected<std::unique_ptr<ServerStore>> open(const std::string& data_dir,
                                                           const std::string& database = {});
  ~ServerStore();

  // -- Repositories --
  util::Expected<void> add_repo(const Repo& repo);  // fails when the name is taken
  util::Expected<std::optional<Repo>> find_repo(std::string_view full_name);
  util::Expected<std::vector<Repo>> repos();
  util::Expected<bool> remove_repo(std::string_view full_name);

  // -- Deliveries: stored durably (synchronous commit) before they are acknowledged --
  util::Expected<Accepted> accept(const NewDelivery& delivery);
  // The oldest pending deliveries, at most `limit`.
  util::Expected<std::vector<StoredDelivery>> pending_deliveries(int limit);
  util::Expected<void> settle(int64_t delivery, DeliveryState state, std::string_view note);
  util::Expected<std::optional<StoredDelivery>> delivery(int64_t id);

  // -- Run triggers --
  // Records what run `trigger.run_id` is for; false when the delivery already queued a
  // run of that workflow (a delivery processed again after a crash).
  util::Expected<bool> add_run_trigger(const RunTrigger& trigger);
  util::Expected<std::optional<RunTrigger>> run_trigger(store::RunId run);
  util::Expected<bool> has_run_trigger(int64_t delivery, std::string_view workflow_file);
  util::Expected<void> set_carry(store::RunId run, std::string_view carry_json);

  // -- Secrets (sealed values) and variables --
  // Returns true when the secret is new.
  util::Expected<bool> put_secret(std::string_view repo, std::string_view name,
                                  std::string_view sealed);
  util::Expected<std::vector<SecretInfo>> secret_names(std::string_view repo);
  // name -> sealed value.
  util::Expected<std::vector<std::pair<std::string, std::string>>> sealed_secrets(
      std::string_view repo);
  util::Expected<bool> delete_secret(std::string_view repo, std::string_view name);
  util::Expected<bool> put_variable(std::string_view repo, std::string_view name,
                                    std::string_view value);
  util::Expected<std::vector<Variable>> variables(std::string_view repo);
  util::Expected<bool> delete_variable(std::string_view repo, std::string_view name);

  // -- Tokens (only their hashes are stored) --
  util::Expected<void> add_token(std::string_view hash, std::string_view name,
                                 std::string_view role);
  // The role of the token with this hash; nullopt when unknown.
  util::Expected<std::optional<std::string>> token_role(std::string_view hash);

  // -- Small state (cron's last check, polled branch heads) --
  util::Expected<std::optional<std::string>> state(std::string_view key);
  util::Expected<void> set_state(std::string_view key, std::string_view value);

 private:
  struct Impl;
  struct PendingAccept;
  explicit ServerStore(std::unique_ptr<Impl> impl);
  // Stores a group of deliveries in one transaction and sets each one's result.
  void accept_batch(std::vector<PendingAccept*>& batch);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pipewright::server
