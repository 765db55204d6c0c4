// Runs one Step of a Plan: stages its inputs and generated files in a fresh scratch folder,
// runs its commands through the Sandbox, normalises and lists what it produced. The caller
// owns the returned StepOutput, whose temporary folder lives as long as it does.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "builder/zip/precompress.hpp"
#include "runtimes/runtime.hpp"
#include "sandbox/sandbox.hpp"

namespace lpack::builder {

// The real paths behind a step's placeholders.
struct StepPaths {
  fs::path src;
  fs::path work;
  fs::path out;
  fs::path toolcache;
};

// Replaces {src}, {work}, {out} and {toolcache} in `text`.
std::string substitute(std::string_view text, const StepPaths& paths);

// The clean environment every command starts from (before Command.env is added):
// PATH, HOME={work}/home, TMPDIR={work}/tmp, LANG/LC_ALL=C.UTF-8, TZ=UTC, SOURCE_DATE_EPOCH.
std::map<std::string, std::string> base_environment(
    const std::map<std::string, std::string>& host_env, const StepPaths& paths, int64_t timestamp);

struct StepContext {
  const runtimes::Plan* plan = nullptr;
  fs::path src;
  fs::path toolcache;  // persistent per-plugin folder
  Arch arch = Arch::x86_64;
  int64_t timestamp = 0;  // SOURCE_DATE_EPOCH for the tools
  const std::map<std::string, std::string>* host_env = nullptr;
  sandbox::Sandbox* sandbox = nullptr;
  std::function<void(std::string_view)> progress;
};

struct StepOutput {
  TempDir scratch;               // holds {work} and {out}; removed with the StepOutput
  std::vector<TreeEntry> files;  // what to pack, paths relative to the output root
  // Large output files compressed (at k_default_zip_level) while the step's last command ran.
  PrecompressedSet precompressed;
};

// The step's input files (relative to SRC, sorted), per its include/exclude lists.
Result<std::vector<TreeEntry>> list_inputs(const runtimes::Step& step, const fs::path& src);

// Runs the step. `inputs` are list_inputs()' result. A failing command is a build_failed
// Error holding the command's last output lines; nothing of the scratch folder survives.
Result<StepOutput> run_step(const runtimes::Step& step, const std::vector<TreeEntry>& inputs,
                            const StepContext& context);

// Runs the step's identity probes on the host and returns "argv => output" lines for its key.
Result<std::vector<std::string>> run_identity_probes(const runtimes::Step& step,
                                                     const StepContext& context);

}  // namespace lpack::builder
