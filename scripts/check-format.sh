#!/usr/bin/env bash
# Fails when a C++ source is not formatted with the repository's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' 2>/dev/null ||
                     find src tests bench -name '*.h' -o -name '*.cc')
((${#files[@]})) || exit 0
"${CLANG_FORMAT:-clang-format}" --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files ok"
