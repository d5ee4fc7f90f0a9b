#include "pipewright/server/server_store.h"

#include <chrono>
#include <condition_variable>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/sql.h"
#include "pipewright/util/ascii.h"

namespace pipewright::server {

namespace {

using store::sql::Blob;
using store::sql::Database;
using store::sql::Statement;
using store::sql::Transaction;

constexpr int k_busy_timeout_ms = 10000;

// The server's tables, created when missing. Portable SQL (SQLite and PostgreSQL).
constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS server_repos (
  full_name TEXT NOT NULL,
  name_key TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  webhook_secret BLOB NOT NULL,
  default_branch TEXT NOT NULL DEFAULT '',
  poll_seconds INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS server_deliveries (
  id INTEGER PRIMARY KEY,
  delivery_key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  repo TEXT NOT NULL,
  event TEXT NOT NULL,
  body BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS server_deliveries_pending ON server_deliveries (state, id);
CREATE TABLE IF NOT EXISTS server_run_triggers (
  run_id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL,
  repo TEXT NOT NULL,
  workflow_file TEXT NOT NULL,
  event TEXT NOT NULL,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  payload TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '',
  carry TEXT NOT NULL DEFAULT '',
  UNIQUE (delivery_id, workflow_file)
);
CREATE TABLE IF NOT EXISTS server_secrets (
  repo_key TEXT NOT NULL,
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo_key, name_key)
);
CREATE TABLE IF NOT EXISTS server_variables (
  repo_key TEXT NOT NULL,
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo_key, name_key)
);
CREATE TABLE IF NOT EXISTS server_tokens (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS server_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

int64_t millis(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint from_millis(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}
TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(store::Clock::now());
}

Repo read_repo(const Statement& s) {
  Repo repo;
  repo.full_name = s.text(0);
  repo.source = s.text(1);
  repo.webhook_secret = s.optional_blob(2).value_or("");
  repo.default_branch = s.text(3);
  repo.poll_seconds = s.integer(4);
  repo.created_at = from_millis(s.integer(5));
  return repo;
}

StoredDelivery read_delivery(const Statement& s) {
  StoredDelivery d;
  d.id = s.integer(0);
  d.key = s.text(1);
  std::string source = s.text(2);
  for (Source candidate : {Source::webhook, Source::dispatch, Source::schedule, Source::poll,
                           Source::workflow_run, Source::rerun})
    if (to_string(candidate) == source) d.source = candidate;
  d.repo = s.text(3);
  d.event = s.text(4);
  d.body = s.optional_blob(5).value_or("");
  d.received_at = from_millis(s.integer(6));
  std::string state = s.text(7);
  for (DeliveryState candidate : {DeliveryState::pending, DeliveryState::processed,
                                  DeliveryState::ignored, DeliveryState::failed})
    if (to_string(candidate) == state) d.state = candidate;
  d.note = s.text(8);
  return d;
}

constexpr const char* k_delivery_columns =
    "id, delivery_key, source, repo, event, body, received_at, state, note";

}  // namespace

std::string_view to_string(Source source) {
  switch (source) {
    case Source::webhook:
      return "webhook";
    case Source::dispatch:
      return "dispatch";
    case Source::schedule:
      return "schedule";
    case Source::poll:
      return "poll";
    case Source::workflow_run:
      return "workflow_run";
    case Source::rerun:
      return "rerun";
  }
  return "webhook";
}

std::string_view to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::pending:
      return "pending";
    case DeliveryState::processed:
      return "processed";
    case DeliveryState::ignored:
      return "ignored";
    case DeliveryState::failed:
      return "failed";
  }
  return "pending";
}

// A delivery waiting in accept() for the group commit that stores it.
struct ServerStore::PendingAccept {
  const NewDelivery* delivery;
  std::optional<util::Expected<Accepted>> result;
};

struct ServerStore::Impl {
  explicit Impl(Database database) : db(std::move(database)) {}
  std::mutex mutex;
  Database db;

  // accept(): deliveries waiting for the next group commit, and whether a thread is
  // committing a group now.
  std::mutex queue_mutex;
  std::condition_variable accepted;
  std::vector<PendingAccept*> queue;
  bool leader = false;
};

ServerStore::ServerStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ServerStore::~ServerStore() = default;

util::Expected<std::unique_ptr<ServerStore>> ServerStore::open(const std::string& data_dir,
                                                               const std::string& database) {
  PW_TRY_VOID(store::prepare_data_dir(data_dir));
  bool postgres = database.starts_with("postgresql://") || database.starts_with("postgres://");
  std::string path = data_dir + "/history.db";
  if (database.starts_with("sqlite:") && database.size() > 7) path = database.substr(7);
  PW_TRY(db, postgres ? Database::connect(database, k_busy_timeout_ms)
                      : Database::open(path, k_busy_timeout_ms));
  // An acknowledged delivery must survive a power cut, not only a crash: this
  // connection commits synchronously (the engine's history keeps NORMAL). PostgreSQL
  // commits synchronously by default.
  if (!postgres) PW_TRY_VOID(db.exec("PRAGMA synchronous=FULL"));
  {
    PW_TRY(tx, Transaction::begin(db));
    PW_TRY_VOID(db.exec_schema(k_schema));
    PW_TRY_VOID(tx.commit());
  }
  return std::unique_ptr<ServerStore>(new ServerStore(std::make_unique<Impl>(std::move(db))));
}

#define PW_LOCK std::lock_guard lock(m_impl->mutex)

util::Expected<void> ServerStore::add_repo(const Repo& repo) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare(
                "INSERT INTO server_repos (full_name, name_key, source, webhook_secret, "
                "default_branch, poll_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name_key) DO NOTHING"));
  s.bind(repo.full_name, util::ascii_lower(repo.full_name), repo.source, Blob{repo.webhook_secret},
         repo.default_branch, repo.poll_seconds, millis(repo.created_at));
  PW_TRY_VOID(s.run());
  if (m_impl->db.changes() == 0)
    return util::fail("repository " + repo.full_name + " is already registered", {},
                      "remove it first (pipewright repo remove " + repo.full_name + ")");
  return {};
}

util::Expected<std::optional<Repo>> ServerStore::find_repo(std::string_view full_name) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT full_name, source, webhook_secret, default_branch, "
                               "poll_seconds, created_at FROM server_repos WHERE name_key = ?"));
  s.bind(util::ascii_lower(full_name));
  PW_TRY(row, s.step());
  if (!row) return std::optional<Repo>();
  return std::optional<Repo>(read_repo(s));
}

util::Expected<std::vector<Repo>> ServerStore::repos() {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT full_name, source, webhook_secret, default_branch, "
                               "poll_seconds, created_at FROM server_repos ORDER BY name_key"));
  std::vector<Repo> out;
  for (;;) {
    PW_TRY(row, s.step());
    if (!row) break;
    out.push_back(read_repo(s));
  }
  return out;
}

util::Expected<bool> ServerStore::remove_repo(std::string_view full_name) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("DELETE FROM server_repos WHERE name_key = ?"));
  s.bind(util::ascii_lower(full_name));
  PW_TRY_VOID(s.run());
  return m_impl->db.changes() > 0;
}

util::Expected<Accepted> ServerStore::accept(const NewDelivery& d) {
  // Group commit: deliveries arriving together share one transaction, so many clients
  // pay for one synchronous commit instead of one each. No answer goes out before the
  // commit that stores its delivery succeeded.
  PendingAccept me{&d, std::nullopt};
  std::unique_lock queue_lock(m_impl->queue_mutex);
  m_impl->queue.push_back(&me);
  while (!me.result) {
    if (m_impl->leader) {
      m_impl->accepted.wait(queue_lock);
      continue;
    }
    m_impl->leader = true;
    std::vector<PendingAccept*> batch;
    batch.swap(m_impl->queue);
    queue_lock.unlock();
    accept_batch(batch);
    queue_lock.lock();
    m_impl->leader = false;
    m_impl->accepted.notify_all();
  }
  return std::move(*me.result);
}

void ServerStore::accept_batch(std::vector<PendingAccept*>& batch) {
  PW_LOCK;
  std::vector<util::Expected<Accepted>> results;
  auto stored = [&]() -> util::Expected<void> {
    PW_TRY(tx, Transaction::begin(m_impl->db));
    for (PendingAccept* pending : batch) {
      const NewDelivery& d = *pending->delivery;
      PW_TRY(insert, m_impl->db.prepare(
                         "INSERT INTO server_deliveries (delivery_key, source, repo, event, body, "
                         "received_at, state) VALUES (?, ?, ?, ?, ?, ?, 'pending') "
                         "ON CONFLICT (delivery_key) DO NOTHING RETURNING id"));
      insert.bind(d.key, to_string(d.source), d.repo, d.event, Blob{d.body}, millis(d.received_at));
      PW_TRY(inserted, insert.step());
      if (inserted) {
        Accepted accepted{insert.integer(0), false};
        PW_TRY_VOID(insert.run());
        results.push_back(accepted);
        continue;
      }
      PW_TRY(known, m_impl->db.prepare("SELECT id FROM server_deliveries WHERE delivery_key = ?"));
      known.bind(d.key);
      PW_TRY(row, known.step());
      if (!row) return util::fail("delivery " + d.key + " vanished while being accepted");
      results.push_back(Accepted{known.integer(0), true});
    }
    return tx.commit();
  }();
  for (size_t i = 0; i < batch.size(); ++i)
    batch[i]->result =
        stored ? results[i] : util::Expected<Accepted>(std::unexpected(stored.error()));
}

util::Expected<std::vector<StoredDelivery>> ServerStore::pending_deliveries(int limit) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare(std::string("SELECT ") + k_delivery_columns +
                               " FROM server_deliveries WHERE state = 'pending' "
                               "ORDER BY id LIMIT ?"));
  s.bind(limit);
  std::vector<StoredDelivery> out;
  for (;;) {
    PW_TRY(row, s.step());
    if (!row) break;
    out.push_back(read_delivery(s));
  }
  return out;
}

util::Expected<void> ServerStore::settle(int64_t delivery, DeliveryState state,
                                         std::string_view note) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("UPDATE server_deliveries SET state = ?, note = ? WHERE id = ?"));
  s.bind(to_string(state), note, delivery);
  return s.run();
}

util::Expected<std::optional<StoredDelivery>> ServerStore::delivery(int64_t id) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare(std::string("SELECT ") + k_delivery_columns +
                               " FROM server_deliveries WHERE id = ?"));
  s.bind(id);
  PW_TRY(row, s.step());
  if (!row) return std::optional<StoredDelivery>();
  return std::optional<StoredDelivery>(read_delivery(s));
}

util::Expected<bool> ServerStore::add_run_trigger(const RunTrigger& t) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare(
                "INSERT INTO server_run_triggers (run_id, delivery_id, repo, workflow_file, "
                "event, ref, sha, payload, inputs, carry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING"));
  s.bind(t.run_id, t.delivery_id, t.repo, t.workflow_file, t.event, t.ref, t.sha, t.payload_json,
         t.inputs_json, t.carry_json);
  PW_TRY_VOID(s.run());
  return m_impl->db.changes() > 0;
}

util::Expected<std::optional<RunTrigger>> ServerStore::run_trigger(store::RunId run) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT run_id, delivery_id, repo, workflow_file, event, ref, "
                               "sha, payload, inputs, carry FROM server_run_triggers "
                               "WHERE run_id = ?"));
  s.bind(run);
  PW_TRY(row, s.step());
  if (!row) return std::optional<RunTrigger>();
  RunTrigger t;
  t.run_id = s.integer(0);
  t.delivery_id = s.integer(1);
  t.repo = s.text(2);
  t.workflow_file = s.text(3);
  t.event = s.text(4);
  t.ref = s.text(5);
  t.sha = s.text(6);
  t.payload_json = s.text(7);
  t.inputs_json = s.text(8);
  t.carry_json = s.text(9);
  return std::optional<RunTrigger>(std::move(t));
}

util::Expected<bool> ServerStore::has_run_trigger(int64_t delivery,
                                                  std::string_view workflow_file) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT 1 FROM server_run_triggers WHERE delivery_id = ? AND "
                               "workflow_file = ?"));
  s.bind(delivery, workflow_file);
  return s.step();
}

util::Expected<void> ServerStore::set_carry(store::RunId run, std::string_view carry_json) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("UPDATE server_run_triggers SET carry = ? WHERE run_id = ?"));
  s.bind(carry_json, run);
  return s.run();
}

util::Expected<bool> ServerStore::put_secret(std::string_view repo, std::string_view name,
                                             std::string_view sealed) {
  PW_LOCK;
  int64_t t = millis(now());
  PW_TRY(tx, Transaction::begin(m_impl->db));
  PW_TRY(update, m_impl->db.prepare("UPDATE server_secrets SET sealed = ?, updated_at = ?, "
                                    "name = ? WHERE repo_key = ? AND name_key = ?"));
  update.bind(Blob{sealed}, t, name, util::ascii_lower(repo), util::ascii_lower(name));
  PW_TRY_VOID(update.run());
  bool created = m_impl->db.changes() == 0;
  if (created) {
    PW_TRY(insert, m_impl->db.prepare("INSERT INTO server_secrets (repo_key, name_key, name, "
                                      "sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.bind(util::ascii_lower(repo), util::ascii_lower(name), name, Blob{sealed}, t, t);
    PW_TRY_VOID(insert.run());
  }
  PW_TRY_VOID(tx.commit());
  return created;
}

util::Expected<std::vector<SecretInfo>> ServerStore::secret_names(std::string_view repo) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT name, created_at, updated_at FROM server_secrets WHERE "
                               "repo_key = ? ORDER BY name_key"));
  s.bind(util::ascii_lower(repo));
  std::vector<SecretInfo> out;
  for (;;) {
    PW_TRY(row, s.step());
    if (!row) break;
    out.push_back({s.text(0), from_millis(s.integer(1)), from_millis(s.integer(2))});
  }
  return out;
}

util::Expected<std::vector<std::pair<std::string, std::string>>> ServerStore::sealed_secrets(
    std::string_view repo) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT name, sealed FROM server_secrets WHERE repo_key = ? "
                               "ORDER BY name_key"));
  s.bind(util::ascii_lower(repo));
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    PW_TRY(row, s.step());
    if (!row) break;
    out.emplace_back(s.text(0), s.optional_blob(1).value_or(""));
  }
  return out;
}

util::Expected<bool> ServerStore::delete_secret(std::string_view repo, std::string_view name) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("DELETE FROM server_secrets WHERE repo_key = ? AND name_key = ?"));
  s.bind(util::ascii_lower(repo), util::ascii_lower(name));
  PW_TRY_VOID(s.run());
  return m_impl->db.changes() > 0;
}

util::Expected<bool> ServerStore::put_variable(std::string_view repo, std::string_view name,
                                               std::string_view value) {
  PW_LOCK;
  int64_t t = millis(now());
  PW_TRY(tx, Transaction::begin(m_impl->db));
  PW_TRY(update, m_impl->db.prepare("UPDATE server_variables SET value = ?, updated_at = ?, "
                                    "name = ? WHERE repo_key = ? AND name_key = ?"));
  update.bind(value, t, name, util::ascii_lower(repo), util::ascii_lower(name));
  PW_TRY_VOID(update.run());
  bool created = m_impl->db.changes() == 0;
  if (created) {
    PW_TRY(insert, m_impl->db.prepare("INSERT INTO server_variables (repo_key, name_key, name, "
                                      "value, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.bind(util::ascii_lower(repo), util::ascii_lower(name), name, value, t, t);
    PW_TRY_VOID(insert.run());
  }
  PW_TRY_VOID(tx.commit());
  return created;
}

util::Expected<std::vector<Variable>> ServerStore::variables(std::string_view repo) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT name, value, created_at, updated_at FROM "
                               "server_variables WHERE repo_key = ? ORDER BY name_key"));
  s.bind(util::ascii_lower(repo));
  std::vector<Variable> out;
  for (;;) {
    PW_TRY(row, s.step());
    if (!row) break;
    out.push_back({s.text(0), s.text(1), from_millis(s.integer(2)), from_millis(s.integer(3))});
  }
  return out;
}

util::Expected<bool> ServerStore::delete_variable(std::string_view repo, std::string_view name) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("DELETE FROM server_variables WHERE repo_key = ? AND name_key = ?"));
  s.bind(util::ascii_lower(repo), util::ascii_lower(name));
  PW_TRY_VOID(s.run());
  return m_impl->db.changes() > 0;
}

util::Expected<void> ServerStore::add_token(std::string_view hash, std::string_view name,
                                            std::string_view role) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare(
                "INSERT INTO server_tokens (hash, name, role, created_at) VALUES (?, ?, ?, ?)"));
  s.bind(hash, name, role, millis(now()));
  return s.run();
}

util::Expected<std::optional<std::string>> ServerStore::token_role(std::string_view hash) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT role FROM server_tokens WHERE hash = ?"));
  s.bind(hash);
  PW_TRY(row, s.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.text(0));
}

util::Expected<std::optional<std::string>> ServerStore::state(std::string_view key) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("SELECT value FROM server_state WHERE key = ?"));
  s.bind(key);
  PW_TRY(row, s.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.text(0));
}

util::Expected<void> ServerStore::set_state(std::string_view key, std::string_view value) {
  PW_LOCK;
  PW_TRY(s, m_impl->db.prepare("INSERT INTO server_state (key, value) VALUES (?, ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  s.bind(key, value);
  return s.run();
}

#undef PW_LOCK

}  // namespace pipewright::server
