// Chooses the runtime plugin for a source folder: the one named by --runtime or the config,
// else the one whose detection claims the folder most strongly.
#pragma once

#include <string>

#include "runtimes/runtime.hpp"

namespace lpack::builder {

struct Detected {
  const runtimes::Runtime* runtime = nullptr;
  std::string lambda_runtime;  // "" : the plugin's default
  std::vector<std::string> evidence;
};

// `requested` is a Lambda runtime id ("python3.12") or plugin id ("python"), or "".
// bad_input when it is unknown (listing the known ones), when nothing claims the folder
// (saying what was looked for), or when two plugins claim it equally (naming both).
Result<Detected> detect_runtime(const fs::path& src, std::string_view requested);

}  // namespace lpack::builder
