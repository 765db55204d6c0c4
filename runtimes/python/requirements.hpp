// requirements.txt as far as lpack needs to read it: which files the layer depends on (the
// file and every -r/-c file it includes, recursively), whether there is anything to
// install, and the forms a layer cannot use (editable installs, local paths, VCS sources).
// pip still reads the file itself when it installs; this parser only decides the plan and
// the layer's cache-key inputs, so that editing one included file rebuilds the layer and
// editing app.py does not.
//
// Hand-written because the only complete parser is pip's own and a plugin runs no
// processes; the grammar followed is pip's (pip/_internal/req/req_file.py):
//   - a line ending in "\" continues on the next one;
//   - "#" at the start of a line or after whitespace starts a comment;
//   - a line is a requirement followed by per-requirement options (--hash=...), or only
//     options: -r/--requirement FILE, -c/--constraint FILE (relative to the including
//     file), -e/--editable (rejected), and pip's global options (--index-url,
//     --extra-index-url, --find-links, --no-binary...), which are kept for pip.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::runtimes::python {

struct RequirementLine {
  std::string file;  // relative to the source folder, "/"-separated
  int line = 0;      // 1-based number of the logical line's first physical line
  std::string text;  // continuations joined, comment removed, trimmed
};

struct RequirementsSet {
  // Every file read, relative to the source folder: the top file first, then includes in
  // the order they are met, each once.
  std::vector<std::string> files;
  std::vector<RequirementLine> requirements;  // from the top file and its -r includes
  std::vector<RequirementLine> constraints;   // from -c files (they install nothing)
  std::vector<RequirementLine> options;       // option-only lines other than -r/-c
};

// Returns a file's text, nullopt when it does not exist, or an Error (e.g. a symlink that
// leaves the source folder). `relative` is normalised and inside the source folder.
using RequirementsReader =
    std::function<Result<std::optional<std::string>>(const std::string& relative)>;

// Parses `file` (relative to the source folder) and its includes through `read`.
// bad_input Errors start with "file:line: " and say what to change: a missing include
// ("requirements.txt:3: -r other.txt: file not found"), an include that leaves the source
// folder or is a URL, an include cycle, an editable, local-path or VCS requirement, an
// option without its value.
Result<RequirementsSet> parse_requirements(std::string_view file, const RequirementsReader& read);

// The same over the files under `src`; includes may not resolve (even through a symlink)
// outside `src`.
Result<RequirementsSet> parse_requirements_in(const fs::path& src, std::string_view file);

// Splits a command-line-like string into words the way pip does (shlex, POSIX mode):
// whitespace separates, quotes group, a backslash escapes outside single quotes.
std::vector<std::string> split_words(std::string_view text);

}  // namespace lpack::runtimes::python
