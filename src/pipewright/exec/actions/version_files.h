// The version a setup action's version file asks for, read the way the real actions
// read them:
//   node:   .nvmrc, .node-version, .tool-versions (`nodejs 20`), package.json
//           (volta.node, devEngines.runtime, engines.node, volta.extends);
//   python: .python-version, .tool-versions, pyproject.toml (project.requires-python,
//           tool.poetry.dependencies.python), Pipfile ([requires] python_version);
//   go:     go.mod / go.work (`toolchain goX` over `go X`), .go-version, .tool-versions;
//   java:   .java-version, .tool-versions (`java temurin-17.0.9+9`), .sdkmanrc
//           (`java=17.0.9-tem`).
// The result is a version spec toolchains.h understands (an alias such as `lts/*`
// stays as written); PEP 440 specifiers are turned into that syntax.
#pragma once

#include <string>

#include "pipewright/exec/actions/toolchains.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

// Fails naming the file when it cannot be read or names no version of `tool`.
util::Expected<std::string> read_version_file(Tool tool, const std::string& path);

// A PEP 440 specifier set ("~=3.9", ">=3.9,<3.13", "==3.11.*") as a version spec
// (">=3.9 <4", ">=3.9 <3.13", "3.11.x"); "!=" clauses are dropped.
std::string pep440_to_spec(std::string_view specifier);

}  // namespace pipewright::exec::actions
