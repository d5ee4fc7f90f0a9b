// The engine side of services (exec/job_services.h) without real servers: template
// evaluation of ports for the scheduler, unknown images, empty images, and the
// .pipewright/services.yml errors.
#include "pipewright/exec/job_services.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

class JobServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() / ("pw-job-services-" + std::to_string(::getpid()));
    fs::create_directories(m_root / ".pipewright");
  }
  void TearDown() override { fs::remove_all(m_root); }

  const workflow::Job& load(std::string_view yaml) {
    auto loaded = workflow::load_workflow_text(yaml, "ci.yml");
    EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].message);
    m_workflow = std::move(*loaded.workflow);
    return m_workflow.jobs.front();
  }

  expr::EvalContext context(std::string_view leg) {
    expr::EvalContext ctx;
    expr::Object matrix;
    matrix.set("port", expr::Value(std::string(leg)));
    ctx.set("matrix", expr::Value(std::move(matrix)));
    return ctx;
  }

  ServicesStart start(JobServices& services, const workflow::Job& job) {
    ServicesStartOptions options;
    options.job_key = "unit";
    options.source_dir = m_root.string();
    options.message = [this](std::string_view line) { m_messages.emplace_back(line); };
    return services.start(job, context("1"), options);
  }

  fs::path m_root;
  workflow::Workflow m_workflow;
  std::vector<std::string> m_messages;
};

TEST_F(JobServicesTest, HostPortsForTheSchedulerAreEvaluatedPerLeg) {
  const workflow::Job& job = load(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      pg:
        image: postgres:15
        ports: ["5432:5432", "${{ matrix.port }}:6000", "7000"]
      off:
        image: ${{ matrix.none }}
        ports: ["9999:9999"]
    steps:
      - run: true
)");
  EXPECT_EQ(service_host_ports(job, context("6001")), (std::vector<int>{5432, 6001}));
  EXPECT_EQ(service_host_ports(job, context("x")), (std::vector<int>{5432}));
}

TEST_F(JobServicesTest, UnknownImageSkipsWithProvidersAndHowToAdd) {
  const workflow::Job& job = load(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      graph:
        image: neo4j:5
    steps:
      - run: true
)");
  JobServices services;
  ServicesStart started = start(services, job);
  EXPECT_EQ(started.result, Result::skipped);
  EXPECT_NE(started.reason.find("service 'graph'"), std::string::npos) << started.reason;
  EXPECT_NE(started.reason.find("postgres, redis"), std::string::npos) << started.reason;
  EXPECT_NE(started.reason.find(".pipewright/services.yml"), std::string::npos);
  EXPECT_TRUE(services.argv_prefix().empty());
  EXPECT_TRUE(services.container_value().is_null());
}

TEST_F(JobServicesTest, EmptyImagesAndNoServicesStartNothing) {
  const workflow::Job& job = load(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      db:
        image: ${{ matrix.none }}
    steps:
      - run: true
)");
  JobServices services;
  EXPECT_EQ(start(services, job).result, Result::success);
  EXPECT_TRUE(services.services_value().as_object().empty());
  EXPECT_TRUE(services.argv_prefix().empty());
  EXPECT_TRUE(m_messages.empty());
}

TEST_F(JobServicesTest, ServicesYmlErrorFailsWithItsLocation) {
  std::ofstream(m_root / ".pipewright" / "services.yml")
      << "providers:\n  example/echo:\n    command: [x]\n    port: 1\n    raedy: y\n";
  const workflow::Job& job = load(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      echo:
        image: example/echo
    steps:
      - run: true
)");
  JobServices services;
  ServicesStart started = start(services, job);
  EXPECT_EQ(started.result, Result::failure);
  EXPECT_NE(started.reason.find(".pipewright/services.yml:5:5"), std::string::npos)
      << started.reason;
}

}  // namespace
}  // namespace pipewright::exec
