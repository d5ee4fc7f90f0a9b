#include "pipewright/exec/services/custom_provider.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace pipewright::exec::services {
namespace {

constexpr const char* k_file = ".pipewright/services.yml";

util::Error error_of(const std::string& text) {
  auto parsed = parse_custom_providers(text, k_file);
  EXPECT_FALSE(parsed) << "parsed without error:\n" << text;
  return parsed ? util::Error{} : parsed.error();
}

TEST(CustomProvider, ParsesEveryKey) {
  auto defs = parse_custom_providers(R"(providers:
  example/echo:
    command: [python3, -m, http.server, --bind, 127.0.0.1, "{port}"]
    port: 8000
    env:
      GREETING: "hello {env.NAME}"
    ready: curl -sf http://127.0.0.1:{port}/
    data-dir-flag: --directory
    user: nobody
  neo4j:
    command: neo4j console --port {port}
    port: 7687
)",
                                     k_file);
  ASSERT_TRUE(defs) << util::format_error(defs.error());
  ASSERT_EQ(defs->size(), 2u);
  const CustomProviderDef& echo = (*defs)[0];
  EXPECT_EQ(echo.image, "example/echo");
  EXPECT_EQ(echo.command.back(), "{port}");
  EXPECT_EQ(echo.port, 8000);
  ASSERT_EQ(echo.env.size(), 1u);
  EXPECT_EQ(echo.env[0].second, "hello {env.NAME}");
  EXPECT_EQ(echo.data_dir_flag, "--directory");
  EXPECT_EQ(echo.user, "nobody");
  EXPECT_EQ(echo.location.line, 2);
  EXPECT_EQ((*defs)[1].command, (std::vector<std::string>{"neo4j", "console", "--port", "{port}"}));
}

TEST(CustomProvider, EmptyFileHasNoProviders) {
  for (const char* text : {"", "\n  \n", "# nothing yet\n", "providers:\n"}) {
    auto defs = parse_custom_providers(text, k_file);
    ASSERT_TRUE(defs) << text;
    EXPECT_TRUE(defs->empty());
  }
}

TEST(CustomProvider, UnknownKeyIsLocatedWithASuggestion) {
  util::Error error = error_of("providers:\n  x:\n    command: [a]\n    port: 1\n    raedy: b\n");
  EXPECT_EQ(error.location.file, k_file);
  EXPECT_EQ(error.location.line, 5);
  EXPECT_EQ(error.location.column, 5);
  EXPECT_NE(error.message.find("raedy"), std::string::npos);
  EXPECT_NE(error.hint.find("ready"), std::string::npos);
}

TEST(CustomProvider, BadPlaceholderAndMissingFields) {
  util::Error placeholder =
      error_of("providers:\n  x:\n    command: [serve, \"{prot}\"]\n    port: 1\n");
  EXPECT_EQ(placeholder.location.line, 3);
  EXPECT_NE(placeholder.message.find("{prot}"), std::string::npos);
  EXPECT_NE(error_of("providers:\n  x:\n    port: 1\n").message.find("needs a command"),
            std::string::npos);
  EXPECT_NE(error_of("providers:\n  x:\n    command: a\n").message.find("port"), std::string::npos);
  EXPECT_EQ(error_of("providers:\n  x:\n    command: a\n    port: 99999\n").location.line, 4);
  EXPECT_EQ(error_of("providers:\n  x:1:\n    command: a\n    port: 1\n").location.line, 2);
  EXPECT_EQ(error_of("provider:\n  x: {}\n").location.line, 1);
  EXPECT_EQ(error_of("providers: [a\n").location.file, k_file);
}

TEST(CustomProvider, PrepareExpandsPlaceholders) {
  auto defs = parse_custom_providers(R"(providers:
  example/echo:
    command: [serve, --port, "{port}"]
    port: 80
    env:
      MODE: "{env.MODE}-x"
    ready: probe {port} {data_dir}
    data-dir-flag: --dir
)",
                                     k_file);
  ASSERT_TRUE(defs);
  auto image = parse_image("example/echo:1.2");
  ASSERT_TRUE(image);
  const CustomProviderDef* def = find_custom_provider(*defs, *image);
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(find_custom_provider(*defs, *parse_image("postgres")), nullptr);
  auto provider = make_custom_provider(*def);
  EXPECT_EQ(provider->default_port(), 80);
  ServiceSpec spec;
  ProviderRequest request;
  request.spec = &spec;
  request.image = *image;
  request.env = {{"MODE", "fast"}};
  request.data_dir = "/d";
  request.port = 1234;
  request.args = {"--extra"};
  auto plan = provider->prepare(request);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->argv,
            (std::vector<std::string>{"serve", "--port", "1234", "--dir", "/d", "--extra"}));
  EXPECT_EQ(plan->ready_argv, (std::vector<std::string>{"sh", "-c", "probe 1234 /d"}));
  EXPECT_NE(std::find(plan->env.begin(), plan->env.end(), "MODE=fast-x"), plan->env.end());
  EXPECT_EQ(std::find(plan->env.begin(), plan->env.end(), "MODE=fast"), plan->env.end());
}

}  // namespace
}  // namespace pipewright::exec::services
