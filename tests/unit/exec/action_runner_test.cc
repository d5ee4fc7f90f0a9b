// Running uses: steps (exec/actions/action_runner.h): resolution and its errors,
// composite actions (inputs, outputs, nesting, env isolation, failure), JavaScript
// actions (INPUT_*, STATE_*, post order), Docker skips. The job is a fake ActionHost
// that runs real processes through run_script_step.
#include "pipewright/exec/actions/action_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/env_files.h"
#include "pipewright/exec/shells.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using expr::Value;

std::string host_path() {
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/bin:/bin";
}

class FakeHost : public ActionHost {
 public:
  explicit FakeHost(std::string temp) : m_temp(std::move(temp)) {}

  EnvList context_env() const override { return m_file_env; }
  EnvList process_env(const EnvList& step_env) const override {
    EnvList env = {{"PATH", compose_path(m_prepend, path)}, {"HOME", "/tmp"}};
    for (const auto& [k, v] : context_env())
      env_set(env, k, v);
    for (const auto& [k, v] : step_env)
      env_set(env, k, v);
    return env;
  }
  void apply_files(const EnvList& env, const std::vector<std::string>& lines) override {
    for (const auto& [k, v] : env)
      env_set(m_file_env, k, v);
    add_to_prepend_path(m_prepend, lines);
  }
  ScriptResult run_process(const ScriptStep& step, const StepOutputHandlers& handlers) override {
    ++processes;
    StepEnvironment environment{m_temp, &masker, nullptr, nullptr, {}, {}};
    return run_script_step(step, environment, handlers);
  }
  const os::CancelToken* begin_in_process_step() override { return nullptr; }
  expr::EvalContext base_context() const override {
    expr::EvalContext ctx;
    expr::Object github;
    github.set("event_name", Value("push"));
    github.set("token", Value("tok"));
    ctx.set("github", Value(std::move(github)));
    return ctx;
  }
  bool cancelled() const override { return false; }
  bool job_succeeded() const override { return succeeded; }

  Masker masker;
  std::string path = host_path();
  bool succeeded = true;
  int processes = 0;
  EnvList m_file_env;
  std::vector<std::string> m_prepend;

 private:
  std::string m_temp;
};

class ActionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() /
             ("pw-action-runner-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_root / "ws");
    fs::create_directories(m_root / "tmp");
    m_host = std::make_unique<FakeHost>((m_root / "tmp").string());
    m_settings.action_cache_dir = (m_root / "cache").string();
    m_settings.actions_url = "file://" + (m_root / "nowhere").string();
    m_runner = std::make_unique<ActionRunner>(
        *m_host, ActionJob{(m_root / "ws").string(), (m_root / "tmp").string(),
                           (m_root / "ws").string(), &m_settings, &m_host->masker, false});
  }
  void TearDown() override { fs::remove_all(m_root); }

  void write(const std::string& relative, const std::string& text) {
    fs::path path = m_root / "ws" / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  // The steps of a workflow with one job (kept alive for the test).
  const std::vector<workflow::Step>& steps(const std::string& yaml) {
    auto loaded = workflow::load_workflow_text(yaml, "ci.yml");
    EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].message);
    m_workflows.push_back(std::make_unique<workflow::Workflow>(std::move(*loaded.workflow)));
    return m_workflows.back()->jobs.at(0).steps;
  }

  ActionOutput output() {
    ActionOutput out;
    out.handlers.line = [this](std::string_view line) { lines.emplace_back(line); };
    out.handlers.group = [this](std::string_view title) {
      lines.push_back("group " + std::string(title));
    };
    out.handlers.annotation = [this](const Annotation& a) { annotations.push_back(a.message); };
    return out;
  }

  // Runs step `step` the way the job runner does; `resolve_error` gets the error text.
  ActionStepResult run(const workflow::Step& step, std::string* resolve_error = nullptr,
                       std::string id = "step") {
    auto resolved = m_runner->resolve(step.uses);
    if (!resolved) {
      if (resolve_error) *resolve_error = util::format_error(resolved.error());
      return ActionStepResult{Result::failure, resolved.error().message, {}, false};
    }
    UsesStep uses{&step, "Run " + step.uses.value, std::move(id), {}, std::nullopt};
    expr::EvalContext ctx = m_host->base_context();
    return m_runner->run_main(**resolved, uses, ctx, output());
  }

  bool has_line(const std::string& text) const {
    return std::ranges::find(lines, text) != lines.end();
  }

  fs::path m_root;
  ActionSettings m_settings;
  std::unique_ptr<FakeHost> m_host;
  std::unique_ptr<ActionRunner> m_runner;
  std::vector<std::unique_ptr<workflow::Workflow>> m_workflows;
  std::vector<std::string> lines, annotations;
};

std::string job(const std::string& steps) {
  return "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n" + steps;
}

TEST(ActionNames, InputVariableUpperCasesAndKeepsHyphens) {
  EXPECT_EQ(input_variable("num-octocats"), "INPUT_NUM-OCTOCATS");
  EXPECT_EQ(input_variable("with space"), "INPUT_WITH_SPACE");
  EXPECT_EQ(input_variable("Who"), "INPUT_WHO");
}

TEST(ActionNames, UnexpectedInputsWarningListsValidInputs) {
  EXPECT_EQ(unexpected_inputs_warning({"who", "bogus"}, {"who", "style"}),
            "Unexpected input(s) 'bogus', valid inputs are ['who', 'style']");
  EXPECT_EQ(unexpected_inputs_warning({"WHO"}, {"who"}), "");
}

TEST(ActionNames, GeneratedIdsCountPerBase) {
  auto loaded = workflow::load_workflow_text(job("      - run: a\n"
                                                 "      - run: b\n"
                                                 "      - uses: actions/checkout@v4\n"
                                                 "      - uses: ./x\n"),
                                             "ci.yml");
  ASSERT_TRUE(loaded.workflow);
  std::map<std::string, int> taken;
  const auto& s = loaded.workflow->jobs[0].steps;
  EXPECT_EQ(generated_action_id(s[0], taken), "__run");
  EXPECT_EQ(generated_action_id(s[1], taken), "__run_2");
  EXPECT_EQ(generated_action_id(s[2], taken), "__actions_checkout");
  EXPECT_EQ(generated_action_id(s[3], taken), "__self");
}

TEST_F(ActionRunnerTest, CompositeInputsDefaultsOutputsAndNesting) {
  write("a/action.yml", R"(name: A
description: d
inputs:
  who:
    description: w
    default: nobody
  token:
    description: an expression default
    default: ${{ github.token }}
outputs:
  text:
    description: t
    value: ${{ steps.say.outputs.text }}-${{ steps.nest.outputs.up }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      env:
        INNER: inner
      run: |
        echo "who=${{ inputs.who }} token=${{ inputs.token }} inner=$INNER"
        echo "text=hi ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "LEAK=from-env-file" >> "$GITHUB_ENV"
    - id: nest
      uses: ./b
      with:
        word: ${{ inputs.who }}
)");
  write("b/action.yml", R"(name: B
description: d
inputs:
  word:
    description: w
outputs:
  up:
    description: u
    value: ${{ steps.u.outputs.up }}
runs:
  using: composite
  steps:
    - id: u
      shell: bash
      run: echo "up=${{ inputs.word }}!$LEAK" >> "$GITHUB_OUTPUT"
)");
  const auto& s =
      steps(job("      - uses: ./a\n        with:\n          who: Ann\n          x: 1\n"
                "      - uses: ./a\n"));
  ActionStepResult first = run(s[0]);
  EXPECT_EQ(first.outcome, Result::success) << first.detail;
  EXPECT_TRUE(has_line("who=Ann token=tok inner=inner"));
  ASSERT_EQ(first.outputs.size(), 1u);
  EXPECT_EQ(first.outputs[0],
            (std::pair<std::string, std::string>{"text", "hi Ann-Ann!from-env-file"}));
  ASSERT_EQ(annotations.size(), 1u);
  EXPECT_EQ(annotations[0], "Unexpected input(s) 'x', valid inputs are ['who', 'token']");
  // The inner step's env stays inside; GITHUB_ENV reaches the job.
  EXPECT_EQ(env_lookup(m_host->m_file_env, "LEAK"), "from-env-file");
  EXPECT_EQ(env_lookup(m_host->m_file_env, "INNER"), std::nullopt);

  ActionStepResult second = run(s[1]);
  EXPECT_EQ(second.outcome, Result::success);
  EXPECT_TRUE(has_line("who=nobody token=tok inner=inner"));
}

TEST_F(ActionRunnerTest, CompositeFailurePropagatesAndFailureStepsRun) {
  write("f/action.yml", R"(name: F
description: d
outputs:
  cleaned:
    description: c
    value: ${{ steps.c.outputs.v }}
runs:
  using: composite
  steps:
    - shell: bash
      continue-on-error: true
      run: exit 4
    - shell: bash
      run: echo ok-after-continue
    - shell: bash
      run: exit 3
    - shell: bash
      run: echo not-run
    - id: c
      if: failure()
      shell: bash
      run: echo "v=yes" >> "$GITHUB_OUTPUT"
)");
  const auto& s = steps(job("      - uses: ./f\n"));
  ActionStepResult result = run(s[0]);
  EXPECT_EQ(result.outcome, Result::failure);
  EXPECT_TRUE(has_line("ok-after-continue"));
  EXPECT_FALSE(has_line("not-run"));
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].second, "yes");
  EXPECT_NE(result.detail.find("exited with code 3"), std::string::npos) << result.detail;
}

TEST_F(ActionRunnerTest, CompositeNestingHasADepthLimit) {
  write("loop/action.yml",
        "name: L\ndescription: d\nruns:\n  using: composite\n  steps:\n    - uses: ./loop\n");
  const auto& s = steps(job("      - uses: ./loop\n"));
  ActionStepResult result = run(s[0]);
  EXPECT_EQ(result.outcome, Result::failure);
  EXPECT_TRUE(std::ranges::any_of(lines, [](const std::string& l) {
    return l.find("nested at most 9 levels deep") != std::string::npos;
  }));
}

TEST_F(ActionRunnerTest, MissingAndMalformedMetadataFailWithLocations) {
  write("empty/README", "x");
  write("bad/action.yml", "name: B\ndescription: d\nruns:\n  using: node8\n  main: a.js\n");
  const auto& s = steps(job("      - uses: ./empty\n      - uses: ./bad\n"));
  std::string error;
  run(s[0], &error);
  EXPECT_NE(error.find("ci.yml:6:"), std::string::npos) << error;
  EXPECT_NE(error.find("Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under"),
            std::string::npos)
      << error;
  run(s[1], &error);
  EXPECT_NE(error.find("bad/action.yml:4:10:"), std::string::npos) << error;
}

TEST_F(ActionRunnerTest, DockerActionsAreSkippedWithTheReason) {
  write("d/action.yml", "name: D\ndescription: d\nruns:\n  using: docker\n  image: Dockerfile\n");
  const auto& s = steps(job("      - uses: docker://alpine:3\n      - uses: ./d\n"));
  for (const auto& step : s) {
    auto resolved = m_runner->resolve(step.uses);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ((*resolved)->kind, ActionKind::docker);
    EXPECT_EQ(docker_skip_reason(**resolved),
              "Docker actions are not supported yet (no container runtime): " + step.uses.value);
    EXPECT_EQ(run(step).outcome, Result::skipped);
  }
  EXPECT_EQ(m_host->processes, 0);
}

TEST_F(ActionRunnerTest, OfflineWithoutCacheNamesTheAction) {
  m_settings.offline = true;
  m_settings.builtins = false;
  const auto& s = steps(job("      - uses: acme/tool@v1\n"));
  std::string error;
  run(s[0], &error);
  EXPECT_NE(error.find("action 'acme/tool@v1' is not in the action cache"), std::string::npos)
      << error;
  EXPECT_NE(error.find("pipewright actions pull"), std::string::npos) << error;
}

TEST_F(ActionRunnerTest, BuiltinsComeFirstUnlessExcluded) {
  const auto& s = steps(job("      - uses: actions/checkout@v4\n"));
  auto builtin = m_runner->resolve(s[0].uses);
  ASSERT_TRUE(builtin) << builtin.error().message;
  EXPECT_EQ((*builtin)->kind, ActionKind::builtin);

  m_settings.offline = true;
  m_settings.no_builtins = {"actions/checkout"};
  ActionRunner real(*m_host,
                    ActionJob{(m_root / "ws").string(), (m_root / "tmp").string(),
                              (m_root / "ws").string(), &m_settings, &m_host->masker, false});
  auto fetched = real.resolve(s[0].uses);
  ASSERT_FALSE(fetched);
  EXPECT_NE(fetched.error().message.find("'actions/checkout@v4' is not in the action cache"),
            std::string::npos)
      << fetched.error().message;
}

TEST_F(ActionRunnerTest, JavaScriptActionInputsStateAndPostOrder) {
  if (find_program("node", host_path()).empty()) GTEST_SKIP() << "node is not installed";
  write("js/action.yml", R"(name: JS
description: d
inputs:
  who:
    description: w
    default: nobody
  the style:
    description: s
    default: plain
runs:
  using: node20
  main: main.js
  post: post.js
)");
  write("js/main.js", R"(const fs = require('fs');
console.log(`main ${process.env.INPUT_WHO} ${process.env.INPUT_THE_STYLE} ${process.env.GITHUB_ACTION}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `out=${process.env.INPUT_WHO}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, `saved=${process.env.INPUT_WHO}\n`);
)");
  write("js/post.js", "console.log(`post ${process.env.INPUT_WHO} ${process.env.STATE_saved}`);\n");
  const auto& s =
      steps(job("      - uses: ./js\n        with:\n          who: one\n"
                "      - uses: ./js\n        with:\n          who: two\n"));
  ActionStepResult one = run(s[0], nullptr, "first");
  ActionStepResult two = run(s[1], nullptr, "second");
  EXPECT_EQ(one.outcome, Result::success) << one.detail;
  EXPECT_EQ(two.outcome, Result::success) << two.detail;
  EXPECT_TRUE(has_line("main one plain first"));
  EXPECT_TRUE(has_line("main two plain second"));
  ASSERT_EQ(one.outputs.size(), 1u);
  EXPECT_EQ(one.outputs[0].second, "one");

  std::vector<ActionPhase> posts = m_runner->take_posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].name, "Post Run ./js");
  EXPECT_EQ(posts[0].action_id, "second");  // reverse order
  lines.clear();
  for (const ActionPhase& post : posts) {
    auto run_it = m_runner->phase_condition(post, m_host->base_context());
    ASSERT_TRUE(run_it && *run_it);
    EXPECT_EQ(m_runner->run_phase(post, output()).outcome, Result::success);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"post two two", "post one one"}));
  EXPECT_TRUE(m_runner->take_posts().empty());
}

TEST_F(ActionRunnerTest, JavaScriptActionWithoutNodeFailsClearly) {
  write("js/action.yml", "name: JS\ndescription: d\nruns:\n  using: node20\n  main: main.js\n");
  write("js/main.js", "\n");
  fs::create_directories(m_root / "empty-bin");
  m_host->path = (m_root / "empty-bin").string();
  const auto& s = steps(job("      - uses: ./js\n"));
  ActionStepResult result = run(s[0]);
  EXPECT_EQ(result.outcome, Result::failure);
  EXPECT_NE(result.detail.find("`node` was not found on PATH"), std::string::npos) << result.detail;
}

TEST_F(ActionRunnerTest, PostIfIsNotWrappedAndDefaultsToAlways) {
  write("js/action.yml",
        "name: JS\ndescription: d\nruns:\n  using: node20\n  main: m.js\n"
        "  post: p.js\n  post-if: failure()\n");
  const auto& s = steps(job("      - uses: ./js\n"));
  auto resolved = m_runner->resolve(s[0].uses);
  ASSERT_TRUE(resolved);
  ActionPhase phase;
  phase.action = *resolved;
  phase.post = true;
  expr::EvalContext ctx = m_host->base_context();
  EXPECT_TRUE(*m_runner->phase_condition(phase, ctx));  // absent: always()
  phase.condition = (*resolved)->action->runs.post_if;
  bool failed = false;
  ctx.set_status_hook(
      [&failed](expr::StatusFunction fn,
                const std::vector<std::string>&) -> std::expected<bool, std::string> {
        return fn == expr::StatusFunction::failure ? failed : true;
      });
  EXPECT_FALSE(*m_runner->phase_condition(phase, ctx));
  failed = true;
  EXPECT_TRUE(*m_runner->phase_condition(phase, ctx));
}

}  // namespace
}  // namespace pipewright::exec::actions
