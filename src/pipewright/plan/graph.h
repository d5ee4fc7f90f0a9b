// The job DAG of a workflow from `needs`: dependencies and dependents by index, a
// topological order, the longest remaining critical path of each job (scheduling
// priority), the `needs` context, renderings for `--graph` and rows for `--list`.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/expr/value.h"
#include "pipewright/plan/triggers.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::plan {

struct JobNode {
  std::string id;
  const workflow::Job* job = nullptr;  // points into the Workflow given to build()
  std::vector<size_t> needs;           // direct dependencies, in `needs:` order
  std::vector<size_t> dependents;      // direct dependents, in file order
  size_t level = 0;                    // 0 without needs, else 1 + max level of needs
  double critical_path = 0;            // own weight + longest chain of dependents
};

class JobGraph {
 public:
  // The graph of `workflow.jobs` (file order). Fails with GitHub's texts on an unknown
  // need ("Job 'a' depends on unknown job 'b'.") or a cycle (naming the jobs on it).
  static util::Expected<JobGraph> build(const workflow::Workflow& workflow);

  const std::vector<JobNode>& nodes() const { return m_nodes; }
  const JobNode& node(size_t index) const { return m_nodes[index]; }
  size_t size() const { return m_nodes.size(); }
  // The index of job `id` (ignoring case).
  std::optional<size_t> find(std::string_view id) const;
  // Dependencies before dependents; ties in file order.
  const std::vector<size_t>& topological_order() const { return m_order; }

  // Recomputes critical_path with per-job weights (e.g. expected durations; default 1).
  void set_weights(std::span<const double> weights);
  // `roots` and everything they transitively need, as a sorted index list (for `-j`).
  std::vector<size_t> with_dependencies(std::span<const size_t> roots) const;

 private:
  std::vector<JobNode> m_nodes;
  std::vector<size_t> m_order;
};

// How a finished job appears in `needs` of its dependents.
struct JobOutcome {
  std::string result;    // success, failure, cancelled, skipped
  expr::Object outputs;  // string values
};

// The `needs` context of job `index`: its direct needs only, each {result, outputs}.
// `outcomes` is indexed like the graph; a need without an outcome is left out.
expr::Value needs_context(const JobGraph& graph, size_t index,
                          std::span<const std::optional<JobOutcome>> outcomes);

enum class GraphFormat { text, mermaid, dot };

// Parses "text" / "mermaid" / "dot" (for `--graph=FORMAT`).
std::optional<GraphFormat> parse_graph_format(std::string_view text);

// `--graph`: text lists jobs level by level with their needs; mermaid is a
// `flowchart LR`; dot a `digraph`. `title` names the workflow.
std::string render_graph(const JobGraph& graph, GraphFormat format, std::string_view title);

// One row of `--list`.
struct ListRow {
  std::string workflow_file;
  std::string workflow_name;
  std::string job_id;
  std::string job_name;  // the `name:` as written ("" when none)
  std::vector<std::string> needs;
  bool triggered = false;
  std::string reason;  // the trigger reason (why not, or what matched)
  std::string skip;    // why the job will be skipped though triggered ("" = it may run)
};

// The rows of one workflow: one per job (or a single row without job when it has none).
std::vector<ListRow> list_rows(const workflow::Workflow& workflow, const TriggerResult& trigger);
// An aligned text table of rows (header: WORKFLOW JOB NEEDS TRIGGERED REASON); a
// triggered job that will be skipped reads "skipped" with the skip reason.
std::string render_list(std::span<const ListRow> rows);

}  // namespace pipewright::plan
