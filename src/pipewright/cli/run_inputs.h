// Reading what `pipewright run` is given on its command line: KEY=VALUE pairs,
// dotenv files (secrets, vars, env) and `LABEL=host|skip` platform mappings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::cli {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Splits "k=v" at the first `separator`. Fails naming `option` when there is none or
// the key is empty.
util::Expected<std::pair<std::string, std::string>> split_pair(std::string_view text,
                                                               char separator,
                                                               std::string_view option);

// Parses dotenv text: `KEY=value`, optional `export `, `#` comments, 'single' quotes
// (literal), "double" quotes (\n \" \\ escapes, may span lines). Fails with the line.
util::Expected<Pairs> parse_dotenv(std::string_view text, const std::string& file);

}  // namespace pipewright::cli
