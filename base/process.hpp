// Runs a child process with an exact argv, environment and working folder, stdin from
// /dev/null, and its stdout and stderr captured together (a tool's own error lines are what
// the user needs to see when a step fails).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on the child's PATH
  std::vector<std::string> env;   // the whole environment, "KEY=value"
  fs::path cwd;                   // empty: the caller's
  // Called with each complete output line as it arrives (progress); may be empty.
  std::function<void(std::string_view)> on_line;
};

struct ProcessResult {
  int exit_code = 0;   // 128 + signal when killed by a signal
  std::string output;  // stdout and stderr, interleaved as written
};

// An Error only when the process could not be started; a non-zero exit is a ProcessResult.
Result<ProcessResult> run_process(const ProcessSpec& spec);

// The last `n` non-empty lines of `text`, joined by "\n".
std::string last_lines(std::string_view text, size_t n);

// Shell-style quoting of an argv for messages ("pip install -r 'my reqs.txt'").
std::string quote_argv(const std::vector<std::string>& argv);

}  // namespace lpack
