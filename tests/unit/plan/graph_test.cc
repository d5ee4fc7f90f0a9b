#include "pipewright/plan/graph.h"

#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::plan {
namespace {

workflow::Workflow load(std::string_view jobs_yaml) {
  std::string text = "name: CI\non: push\njobs:\n" + std::string(jobs_yaml);
  auto result = workflow::load_workflow_text(text, "ci.yml");
  EXPECT_TRUE(result.workflow.has_value());
  return std::move(*result.workflow);
}

std::string job(std::string_view id, std::string_view needs = {}) {
  std::string out = "  " + std::string(id) + ":\n    runs-on: ubuntu-latest\n";
  if (!needs.empty()) out += "    needs: " + std::string(needs) + "\n";
  return out + "    steps:\n      - run: echo\n";
}

std::vector<std::string> ids(const JobGraph& g, const std::vector<size_t>& order) {
  std::vector<std::string> out;
  for (size_t i : order)
    out.push_back(g.node(i).id);
  return out;
}

TEST(Graph, NeedsDependentsOrderLevelsAndCriticalPath) {
  auto wf = load(job("deploy", "[test, lint]") + job("build") + job("test", "build") + job("lint") +
                 job("docs", "Build"));
  auto g = JobGraph::build(wf);
  ASSERT_TRUE(g) << g.error().message;
  ASSERT_EQ(g->size(), 5u);
  size_t deploy = *g->find("deploy"), build = *g->find("BUILD"), test = *g->find("test");
  EXPECT_EQ(ids(*g, g->node(deploy).needs), (std::vector<std::string>{"test", "lint"}));
  EXPECT_EQ(ids(*g, g->node(build).dependents), (std::vector<std::string>{"test", "docs"}));
  EXPECT_EQ(ids(*g, g->topological_order()),
            (std::vector<std::string>{"build", "test", "lint", "deploy", "docs"}));
  EXPECT_EQ(g->node(build).level, 0u);
  EXPECT_EQ(g->node(test).level, 1u);
  EXPECT_EQ(g->node(deploy).level, 2u);
  // build → test → deploy is the longest chain (3 jobs).
  EXPECT_EQ(g->node(build).critical_path, 3);
  EXPECT_EQ(g->node(*g->find("lint")).critical_path, 2);
  EXPECT_EQ(g->node(*g->find("docs")).critical_path, 1);

  std::vector<double> weights = {1, 1, 1, 10, 1};  // lint is slow
  g->set_weights(weights);
  EXPECT_EQ(g->node(*g->find("lint")).critical_path, 11);
  EXPECT_EQ(g->node(build).critical_path, 3);

  size_t roots[] = {deploy};
  EXPECT_EQ(ids(*g, g->with_dependencies(roots)),
            (std::vector<std::string>{"deploy", "build", "test", "lint"}));
}

TEST(Graph, UnknownNeeds) {
  auto wf = load(job("a", "[b, c]") + job("c"));
  auto g = JobGraph::build(wf);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().message, "Job 'a' depends on unknown job 'b'.");
}

TEST(Graph, Cycle) {
  auto wf = load(job("a", "c") + job("b", "a") + job("c", "b") + job("d"));
  auto g = JobGraph::build(wf);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().message, "The jobs have a circular dependency: a -> c -> b -> a");
}

TEST(Graph, NeedsContextHasDirectNeedsOnly) {
  auto wf = load(job("a") + job("b", "a") + job("c", "b"));
  auto g = JobGraph::build(wf);
  ASSERT_TRUE(g);
  std::vector<std::optional<JobOutcome>> outcomes(3);
  expr::Object outputs;
  outputs.set("version", "1.2");
  outcomes[0] = JobOutcome{"success", {}};
  outcomes[1] = JobOutcome{"skipped", outputs};
  expr::Value needs = needs_context(*g, 2, outcomes);
  ASSERT_EQ(needs.as_object().size(), 1u);
  EXPECT_EQ(needs.member("b")->member("result")->as_string(), "skipped");
  EXPECT_EQ(needs.member("b")->member("outputs")->member("version")->as_string(), "1.2");
  EXPECT_EQ(needs.member("a"), nullptr);
}

TEST(Graph, Renderings) {
  auto wf = load(job("build") + job("test", "build") + job("deploy", "[build, test]"));
  auto g = JobGraph::build(wf);
  ASSERT_TRUE(g);
  EXPECT_EQ(render_graph(*g, GraphFormat::text, "CI"),
            "CI\n  level 0: build\n  level 1: test (needs build)\n"
            "  level 2: deploy (needs build, test)\n");
  EXPECT_EQ(render_graph(*g, GraphFormat::mermaid, "CI"),
            "---\ntitle: CI\n---\nflowchart LR\n  j0[\"build\"]\n  j1[\"test\"]\n"
            "  j2[\"deploy\"]\n  j0 --> j1\n  j0 --> j2\n  j1 --> j2\n");
  EXPECT_EQ(render_graph(*g, GraphFormat::dot, "CI"),
            "digraph \"CI\" {\n  rankdir=LR;\n  node [shape=box];\n"
            "  \"build\" [label=\"build\"];\n  \"test\" [label=\"test\"];\n"
            "  \"deploy\" [label=\"deploy\"];\n  \"build\" -> \"test\";\n"
            "  \"build\" -> \"deploy\";\n  \"test\" -> \"deploy\";\n}\n");
  EXPECT_EQ(parse_graph_format("mermaid"), GraphFormat::mermaid);
  EXPECT_EQ(parse_graph_format("svg"), std::nullopt);
}

TEST(Graph, ListRows) {
  auto wf = load(job("build") + job("test", "build"));
  auto rows = list_rows(wf, TriggerResult{false, "branch 'dev' does not match branches: [main]"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].needs, (std::vector<std::string>{"build"}));
  EXPECT_EQ(render_list(rows),
            "WORKFLOW  JOB    NEEDS  TRIGGERED  REASON\n"
            "CI        build  -      no         branch 'dev' does not match branches: [main]\n"
            "CI        test   build  no         branch 'dev' does not match branches: [main]\n");
}

}  // namespace
}  // namespace pipewright::plan
