// What the Go plugin reads of a Go source folder before planning: the module line and the
// requirements of go.mod, whether dependencies are vendored, which folder holds the main
// package, and the files //go:embed directives pull in. Reading is deliberately shallow
// (line-oriented, no Go parser): the go tool itself validates everything during the build,
// and its own messages are what the user sees when something is wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::runtimes::go {

struct GoMod {
  std::string module;                 // "" when go.mod has no module line
  std::string go_version;             // the `go` directive, "" when absent
  std::vector<std::string> required;  // module paths of `require` directives, in file order
  std::vector<std::string> replaces;  // left-hand module paths of `replace` directives
};

// Parses go.mod text: `module`, `go`, `require` and `replace` directives, single-line and
// block forms, with // comments. Never fails: unknown directives are the go tool's business.
GoMod parse_go_mod(std::string_view text);

// The package name a .go file declares ("main"), or "" when none is found. Files constrained
// away with `//go:build ignore` (generators) report "".
std::string go_package_name(std::string_view text);

// The patterns of every //go:embed directive in a .go file, unquoted and without an "all:"
// prefix, relative to the file's folder.
std::vector<std::string> go_embed_patterns(std::string_view text);

struct GoSource {
  GoMod mod;
  bool vendored = false;     // vendor/modules.txt exists
  std::string main_package;  // "." or "./cmd/api": what `go build` compiles
  // Input globs (relative to the source root) for the files //go:embed directives name.
  std::vector<std::string> embed_inputs;
};

// Reads go.mod and the .go files of `src` (outside vendor/, testdata/ and `exclude`).
// bad_input Errors: no go.mod, go.mod without a module line, no main package, or several
// main packages and none at the root; each names the file and the fix.
Result<GoSource> read_go_source(const fs::path& src, const std::vector<std::string>& exclude);

}  // namespace lpack::runtimes::go
