#include "pipewright/plan/graph.h"

#include <algorithm>
#include <array>
#include <functional>
#include <queue>

#include <fmt/format.h>

namespace pipewright::plan {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// The job's label for renderings: its literal `name:` or its id.
std::string label(const JobNode& node) {
  if (node.job && node.job->name.present() && !node.job->name.has_expressions() &&
      !node.job->name.value.empty()) {
    return node.job->name.value;
  }
  return node.id;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string mermaid_label(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"') {
      out += "#quot;";
    } else {
      out += c == '\n' ? ' ' : c;
    }
  }
  return out;
}

// One cycle among `remaining` jobs (those Kahn's algorithm could not order), as ids.
std::vector<std::string> find_cycle(const std::vector<JobNode>& nodes,
                                    const std::vector<bool>& remaining) {
  std::vector<int> state(nodes.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<size_t> stack;
  std::vector<std::string> cycle;
  std::function<bool(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    stack.push_back(i);
    for (size_t need : nodes[i].needs) {
      if (!remaining[need]) continue;
      if (state[need] == 1) {
        auto from = std::find(stack.begin(), stack.end(), need);
        for (auto it = from; it != stack.end(); ++it)
          cycle.push_back(nodes[*it].id);
        cycle.push_back(nodes[need].id);
        return true;
      }
      if (state[need] == 0 && visit(need)) return true;
    }
    stack.pop_back();
    state[i] = 2;
    return false;
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (remaining[i] && state[i] == 0 && visit(i)) break;
  }
  return cycle;
}

}  // namespace

util::Expected<JobGraph> JobGraph::build(const workflow::Workflow& workflow) {
  JobGraph graph;
  for (const workflow::Job& job : workflow.jobs) {
    JobNode node;
    node.id = job.id.value;
    node.job = &job;
    graph.m_nodes.push_back(std::move(node));
  }
  std::vector<std::string> errors;
  util::Location first_location;
  for (size_t i = 0; i < graph.m_nodes.size(); ++i) {
    const workflow::Job& job = *graph.m_nodes[i].job;
    for (const workflow::Text& need : job.needs.items) {
      std::optional<size_t> target = graph.find(need.value);
      if (!target) {
        errors.push_back(
            fmt::format("Job '{}' depends on unknown job '{}'.", job.id.value, need.value));
        if (!first_location.known()) first_location = need.location;
        continue;
      }
      std::vector<size_t>& needs = graph.m_nodes[i].needs;
      if (std::find(needs.begin(), needs.end(), *target) != needs.end()) continue;
      needs.push_back(*target);
      graph.m_nodes[*target].dependents.push_back(i);
    }
  }
  if (!errors.empty()) return util::fail(join(errors, "\n"), first_location);

  // Kahn's algorithm, lowest file index first among ready jobs.
  std::vector<size_t> waiting(graph.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < graph.size(); ++i) {
    waiting[i] = graph.m_nodes[i].needs.size();
    if (waiting[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    graph.m_order.push_back(i);
    for (size_t need : graph.m_nodes[i].needs) {
      graph.m_nodes[i].level = std::max(graph.m_nodes[i].level, graph.m_nodes[need].level + 1);
    }
    for (size_t dependent : graph.m_nodes[i].dependents) {
      if (--waiting[dependent] == 0) ready.push(dependent);
    }
  }
  if (graph.m_order.size() != graph.size()) {
    std::vector<bool> remaining(graph.size(), true);
    for (size_t i : graph.m_order)
      remaining[i] = false;
    std::vector<std::string> cycle = find_cycle(graph.m_nodes, remaining);
    const workflow::Job* job = graph.m_nodes[*graph.find(cycle.front())].job;
    return util::fail(fmt::format("The jobs have a circular dependency: {}", join(cycle, " -> ")),
                      job->needs.location,
                      "`a -> b` reads: a needs b; a job cannot (indirectly) need itself");
  }
  graph.set_weights({});
  return graph;
}

std::optional<size_t> JobGraph::find(std::string_view id) const {
  for (size_t i = 0; i < m_nodes.size(); ++i) {
    if (equal_ignoring_case(m_nodes[i].id, id)) return i;
  }
  return std::nullopt;
}

void JobGraph::set_weights(std::span<const double> weights) {
  for (auto it = m_order.rbegin(); it != m_order.rend(); ++it) {
    JobNode& node = m_nodes[*it];
    double longest = 0;
    for (size_t dependent : node.dependents) {
      longest = std::max(longest, m_nodes[dependent].critical_path);
    }
    node.critical_path = (*it < weights.size() ? weights[*it] : 1.0) + longest;
  }
}

std::vector<size_t> JobGraph::with_dependencies(std::span<const size_t> roots) const {
  std::vector<bool> seen(m_nodes.size(), false);
  std::vector<size_t> todo(roots.begin(), roots.end());
  while (!todo.empty()) {
    size_t i = todo.back();
    todo.pop_back();
    if (i >= m_nodes.size() || seen[i]) continue;
    seen[i] = true;
    for (size_t need : m_nodes[i].needs)
      todo.push_back(need);
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.push_back(i);
  }
  return out;
}

expr::Value needs_context(const JobGraph& graph, size_t index,
                          std::span<const std::optional<JobOutcome>> outcomes) {
  expr::Object needs;
  for (size_t need : graph.node(index).needs) {
    if (need >= outcomes.size() || !outcomes[need]) continue;
    expr::Object entry;
    entry.set("result", outcomes[need]->result);
    entry.set("outputs", expr::Value(outcomes[need]->outputs));
    needs.set(graph.node(need).id, expr::Value(std::move(entry)));
  }
  return expr::Value(std::move(needs));
}

std::optional<GraphFormat> parse_graph_format(std::string_view text) {
  static const std::pair<std::string_view, GraphFormat> k_formats[] = {
      {"text", GraphFormat::text}, {"mermaid", GraphFormat::mermaid}, {"dot", GraphFormat::dot}};
  for (const auto& [name, format] : k_formats) {
    if (name == text) return format;
  }
  return std::nullopt;
}

std::string render_graph(const JobGraph& graph, GraphFormat format, std::string_view title) {
  std::string out;
  const auto& nodes = graph.nodes();
  switch (format) {
    case GraphFormat::text: {
      out += fmt::format("{}\n", title);
      size_t max_level = 0;
      for (const JobNode& n : nodes)
        max_level = std::max(max_level, n.level);
      for (size_t level = 0; level <= max_level && !nodes.empty(); ++level) {
        std::vector<std::string> jobs;
        for (size_t i : graph.topological_order()) {
          const JobNode& n = nodes[i];
          if (n.level != level) continue;
          std::string entry = n.id;
          if (!n.needs.empty()) {
            std::vector<std::string> needs;
            for (size_t need : n.needs)
              needs.push_back(nodes[need].id);
            entry += " (needs " + join(needs, ", ") + ")";
          }
          jobs.push_back(std::move(entry));
        }
        out += fmt::format("  level {}: {}\n", level, join(jobs, ", "));
      }
      break;
    }
    case GraphFormat::mermaid: {
      out += fmt::format("---\ntitle: {}\n---\nflowchart LR\n", mermaid_label(title));
      for (size_t i = 0; i < nodes.size(); ++i) {
        out += fmt::format("  j{}[\"{}\"]\n", i, mermaid_label(label(nodes[i])));
      }
      for (size_t i : graph.topological_order()) {
        for (size_t need : nodes[i].needs)
          out += fmt::format("  j{} --> j{}\n", need, i);
      }
      break;
    }
    case GraphFormat::dot: {
      out += fmt::format("digraph {} {{\n  rankdir=LR;\n  node [shape=box];\n", quoted(title));
      for (const JobNode& n : nodes) {
        out += fmt::format("  {} [label={}];\n", quoted(n.id), quoted(label(n)));
      }
      for (size_t i : graph.topological_order()) {
        for (size_t need : nodes[i].needs) {
          out += fmt::format("  {} -> {};\n", quoted(nodes[need].id), quoted(nodes[i].id));
        }
      }
      out += "}\n";
      break;
    }
  }
  return out;
}

std::vector<ListRow> list_rows(const workflow::Workflow& workflow, const TriggerResult& trigger) {
  std::vector<ListRow> rows;
  ListRow base;
  base.workflow_file = workflow.file;
  base.workflow_name = workflow.name.value;
  base.triggered = trigger.matched;
  base.reason = trigger.reason;
  for (const workflow::Job& job : workflow.jobs) {
    ListRow row = base;
    row.job_id = job.id.value;
    row.job_name = job.name.value;
    for (const workflow::Text& need : job.needs.items)
      row.needs.push_back(need.value);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) rows.push_back(std::move(base));
  return rows;
}

std::string render_list(std::span<const ListRow> rows) {
  std::vector<std::array<std::string, 5>> table;
  table.push_back({"WORKFLOW", "JOB", "NEEDS", "TRIGGERED", "REASON"});
  for (const ListRow& row : rows) {
    bool skipped = row.triggered && !row.skip.empty();
    table.push_back({row.workflow_name.empty() ? row.workflow_file : row.workflow_name,
                     row.job_id.empty() ? "-" : row.job_id,
                     row.needs.empty() ? "-" : join(row.needs, ","),
                     skipped         ? "skipped"
                     : row.triggered ? "yes"
                                     : "no",
                     skipped ? row.skip : row.reason});
  }
  std::array<size_t, 5> width{};
  for (const auto& cells : table) {
    for (size_t c = 0; c < cells.size(); ++c)
      width[c] = std::max(width[c], cells[c].size());
  }
  std::string out;
  for (const auto& cells : table) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      line += cells[c];
      if (c + 1 < cells.size()) line += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace pipewright::plan
