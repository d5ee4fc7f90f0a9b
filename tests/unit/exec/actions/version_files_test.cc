#include "pipewright/exec/actions/version_files.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::put;
using testing::TempDir;

std::string read(Tool tool, const std::string& path) {
  auto r = read_version_file(tool, path);
  EXPECT_TRUE(r) << path << ": " << r.error().message;
  return r ? *r : "<error>";
}

TEST(VersionFiles, Read) {
  TempDir dir;
  put(dir / ".python-version", "# pinned\n3.11.7\n");
  put(dir / ".nvmrc", "v20.11.0\n");
  put(dir / "go.mod", "module x\n\ngo 1.21\n\ntoolchain go1.21.5\n");
  put(dir / "sub/go.mod", "module y\ngo 1.20\n");
  put(dir / ".tool-versions", "nodejs 18.19.0\npython 3.10.13 3.9.1\n");
  put(dir / "empty/.python-version", "\n# nothing\n");
  EXPECT_EQ(read(Tool::python, dir / ".python-version"), "3.11.7");
  EXPECT_EQ(read(Tool::node, dir / ".nvmrc"), "20.11.0");
  EXPECT_EQ(read(Tool::go, dir / "go.mod"), "1.21.5");
  EXPECT_EQ(read(Tool::go, dir / "sub/go.mod"), "1.20");
  EXPECT_EQ(read(Tool::python, dir / ".tool-versions"), "3.10.13");
  EXPECT_EQ(read(Tool::node, dir / ".tool-versions"), "18.19.0");
  EXPECT_FALSE(read_version_file(Tool::python, dir / "empty/.python-version"));
  EXPECT_FALSE(read_version_file(Tool::python, dir / "missing"));
}

TEST(VersionFiles, NodeForms) {
  TempDir dir;
  put(dir / "a/.nvmrc", "lts/iron\n");
  put(dir / "b/.node-version", "node 22\n");
  put(dir / "c/package.json", R"({"name":"x","engines":{"node":">=18"}})");
  put(dir / "d/package.json", R"({"engines":{"node":">=18"},"volta":{"node":"20.11.1"}})");
  put(dir / "e/package.json",
      R"({"devEngines":{"runtime":[{"name":"bun"},{"name":"Node","version":"^22"}]}})");
  put(dir / "f/package.json", R"({"volta":{"extends":"../d/package.json"}})");
  put(dir / "g/package.json", R"({"name":"no-version"})");
  put(dir / "h/.tool-versions", "ruby 3.3.0\nnodejs v21.1.0\n");
  EXPECT_EQ(read(Tool::node, dir / "a/.nvmrc"), "lts/iron");
  EXPECT_EQ(read(Tool::node, dir / "b/.node-version"), "22");
  EXPECT_EQ(read(Tool::node, dir / "c/package.json"), ">=18");
  EXPECT_EQ(read(Tool::node, dir / "d/package.json"), "20.11.1");
  EXPECT_EQ(read(Tool::node, dir / "e/package.json"), "^22");
  EXPECT_EQ(read(Tool::node, dir / "f/package.json"), "20.11.1");
  auto none = read_version_file(Tool::node, dir / "g/package.json");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("names no Node.js version"), std::string::npos);
  EXPECT_EQ(read(Tool::node, dir / "h/.tool-versions"), "21.1.0");
  auto missing = read_version_file(Tool::node, dir / "nope/.nvmrc");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
}

TEST(VersionFiles, PythonForms) {
  TempDir dir;
  put(dir / "a/pyproject.toml",
      "[build-system]\nrequires = [\"setuptools\"]\n\n[project]\nname = \"x\"\n"
      "requires-python = \">= 3.9, <3.13\"\n");
  put(dir / "b/pyproject.toml",
      "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.10\"\n");
  put(dir / "c/pyproject.toml", "[project]\nrequires-python = '~=3.11'\n");
  put(dir / "d/Pipfile", "[packages]\nrequests = \"*\"\n\n[requires]\npython_version = \"3.12\"\n");
  put(dir / "e/pyproject.toml", "[project]\nname = \"x\"\n");
  EXPECT_EQ(read(Tool::python, dir / "a/pyproject.toml"), ">=3.9 <3.13");
  EXPECT_EQ(read(Tool::python, dir / "b/pyproject.toml"), "^3.10");
  EXPECT_EQ(read(Tool::python, dir / "c/pyproject.toml"), ">=3.11 <4");
  EXPECT_EQ(read(Tool::python, dir / "d/Pipfile"), "3.12");
  EXPECT_FALSE(read_version_file(Tool::python, dir / "e/pyproject.toml"));
  EXPECT_EQ(pep440_to_spec("==3.11.*"), "3.11.x");
  EXPECT_EQ(pep440_to_spec("~=3.9.1"), ">=3.9.1 <3.10");
  EXPECT_EQ(pep440_to_spec(">=3.8,!=3.9.0"), ">=3.8");
}

TEST(VersionFiles, GoAndJavaForms) {
  TempDir dir;
  put(dir / "a/go.mod", "module x\n\ngo 1.22.0\n\ntoolchain default\n");
  put(dir / "b/go.work", "go 1.23\n\nuse ./a\n");
  put(dir / "c/.go-version", "1.21.3\n");
  put(dir / "d/.tool-versions", "golang 1.22.1\njava temurin-17.0.9+9\n");
  put(dir / "e/.sdkmanrc", "# sdkman\njava=21.0.2-tem\nmaven=3.9.6\n");
  put(dir / "f/.java-version", "17\n");
  EXPECT_EQ(read(Tool::go, dir / "a/go.mod"), "1.22.0");
  EXPECT_EQ(read(Tool::go, dir / "b/go.work"), "1.23");
  EXPECT_EQ(read(Tool::go, dir / "c/.go-version"), "1.21.3");
  EXPECT_EQ(read(Tool::go, dir / "d/.tool-versions"), "1.22.1");
  EXPECT_EQ(read(Tool::java, dir / "d/.tool-versions"), "17.0.9+9");
  EXPECT_EQ(read(Tool::java, dir / "e/.sdkmanrc"), "21.0.2");
  EXPECT_EQ(read(Tool::java, dir / "f/.java-version"), "17");
}

}  // namespace
}  // namespace pipewright::exec::actions
