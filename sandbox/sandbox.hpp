// Where build commands run. A Sandbox runs one command with an exact environment, the source
// folder read-only, only the declared folders writable and the network only when allowed.
// Backends: "none" (the host, environment cleaned but nothing isolated; for debugging and
// for machines without namespaces), and later "seccomp" and "podman".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/arch.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::sandbox {

struct RunSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // the whole environment; a backend adds nothing
  fs::path workdir;                        // the command's cwd; writable
  fs::path source_dir;                     // read-only input
  std::vector<fs::path> writable_dirs;     // besides workdir
  bool network = false;
  Arch arch = Arch::x86_64;
  std::string image;                              // container backends only
  std::function<void(std::string_view)> on_line;  // live output lines (progress)
};

struct RunResult {
  int exit_code = 0;
  std::string output;  // stdout + stderr
};

class Sandbox {
 public:
  virtual ~Sandbox() = default;
  virtual std::string_view name() const = 0;
  // An Error when the command could not be started at all (missing program, no namespaces);
  // a command that ran and failed is a RunResult with a non-zero exit_code.
  virtual Result<RunResult> run(const RunSpec& spec) = 0;
};

// The host backend: runs the command directly, with exactly spec.env.
std::unique_ptr<Sandbox> make_host_sandbox();

}  // namespace lpack::sandbox
