// Evaluating a parsed expression against named values (gha-spec.md §2.3–§2.6).
// The evaluator does no I/O: hashFiles and the status functions go through hooks.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/expr/error.h"
#include "pipewright/expr/parser.h"
#include "pipewright/expr/value.h"

namespace pipewright::expr {

enum class StatusFunction { success, failure, cancelled, always };

class EvalContext {
 public:
  // Answers success()/failure()/cancelled()/always(); `job_ids` holds job-level
  // arguments (empty for the common 0-argument form). Returns an error message on failure.
  using StatusHook = std::function<std::expected<bool, std::string>(
      StatusFunction, const std::vector<std::string>& job_ids)>;
  // hashFiles(patterns…): `follow_symlinks` from `--follow-symbolic-links`. Returns the
  // lowercase hex digest ('' when nothing matched) or an error message.
  using HashFilesHook = std::function<std::expected<std::string, std::string>(
      const std::vector<std::string>& patterns, bool follow_symlinks)>;

  // Sets the named value `name` (case-insensitive; replaces an existing one).
  void set(std::string name, Value value) { m_values.set(std::move(name), std::move(value)); }
  // The named value, or nullptr.
  const Value* find(std::string_view name) const { return m_values.find(name); }
  const Object& values() const { return m_values; }

  void set_status_hook(StatusHook hook) { m_status = std::move(hook); }
  void set_hash_files_hook(HashFilesHook hook) { m_hash_files = std::move(hook); }
  const StatusHook& status_hook() const { return m_status; }
  const HashFilesHook& hash_files_hook() const { return m_hash_files; }

 private:
  Object m_values;
  StatusHook m_status;         // unset: success() true, failure()/cancelled() false
  HashFilesHook m_hash_files;  // unset: hashFiles fails with an evaluation error
};

// Evaluates `expression`. Fails with an evaluation ExprError (GitHub's texts).
// A missing named value evaluates to null.
std::expected<Value, ExprError> evaluate(const Expression& expression, const EvalContext& context);

}  // namespace pipewright::expr
