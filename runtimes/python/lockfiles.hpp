// Lockfiles of Python's project managers -> the packages a Lambda layer needs, pinned, as
// lines of a requirements file pip installs with hash checking:
//   Pipfile.lock  (pipenv; JSON)  the "default" section; "develop" is left out
//   poetry.lock   (Poetry; TOML)  [[package]] of the main group: `groups` (Poetry 2),
//                 `category = "main"` (Poetry 1), else the packages reachable from
//                 pyproject.toml's main dependencies; hashes from `files` or [metadata.files]
//   uv.lock       (uv; TOML)      the packages reachable from the root package's
//                 `dependencies` (not dev-dependencies, not unrequested extras); hashes
//                 from `wheels` and `sdist`
// Written here rather than by running `pipenv requirements`, `poetry export` or
// `uv export` because a plugin runs no processes and those tools are usually absent on a
// build machine; the formats are plain JSON/TOML read with nlohmann::json and toml++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace lpack::runtimes::python {

struct LockedPackage {
  std::string name;                 // as the lockfile writes it
  std::string version;              // "1.2.3" (no "==")
  std::string marker;               // PEP 508 environment marker, "" : always
  std::string url;                  // a direct URL (Poetry/uv "url" sources), "" : from the index
  std::vector<std::string> hashes;  // "sha256:<hex>", sorted, unique
};

struct LockedSet {
  std::vector<LockedPackage> packages;  // sorted by normalized name, then version
  // Things the user may want to know ("poetry.lock: no groups or categories; main
  // dependencies taken from pyproject.toml").
  std::vector<std::string> notes;
  bool used_pyproject = false;  // pyproject.toml decided which packages are main ones
};

// Each returns bad_input "file[:line]: what is wrong; the fix" for malformed input and for
// packages a layer cannot install (local paths, editable or VCS sources). `file_name` is
// used in messages.
Result<LockedSet> parse_pipfile_lock(std::string_view text, std::string_view file_name);
// `pyproject` is pyproject.toml's text, "" when absent; only read when the lockfile does not
// say which packages are main ones (Poetry 1.5-1.8 lockfiles).
Result<LockedSet> parse_poetry_lock(std::string_view text, std::string_view file_name,
                                    std::string_view pyproject = {});
Result<LockedSet> parse_uv_lock(std::string_view text, std::string_view file_name);

// The requirements file pip installs: a header comment naming `source`, then one line per
// package, "name==version ; marker --hash=sha256:..." (the hashes only when every package
// has some: pip's hash-checking mode is all or nothing).
std::string pinned_requirements(const LockedSet& set, std::string_view source);

// PEP 503 name normalisation: lower case, runs of "-", "_" and "." become one "-".
std::string normalize_name(std::string_view name);

}  // namespace lpack::runtimes::python
