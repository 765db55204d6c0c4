// A runtime plugin looks at a source folder and describes, as data, how to turn it into a
// Lambda layer and function: a Plan of Steps. It never runs a process; the builder runs
// each Step's commands through a Sandbox and packs the result.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/arch.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/walk.hpp"

namespace lpack::runtimes {

enum class StepKind { layer, function };
std::string_view step_kind_name(StepKind kind);  // "layer" | "function"

// A command of a step. argv and env values may hold placeholders that the builder replaces
// with real paths just before running (and keeps as written in cache keys, so keys never
// contain a machine's paths):
//   {src}   the source folder (read-only)
//   {work}  a fresh writable scratch folder for this step (also $HOME, under {work}/home)
//   {out}   the folder whose contents become the zip, under the step's zip_prefix
//   {toolcache}  a persistent, writable folder of this plugin's own under lpack's cache
//           (Go's build cache, npm's download cache, Maven's local repository): it may make
//           a build faster, never different, so it is not part of any key
struct Command {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to the sandbox's clean base environment
  bool network = false;                    // may download (dependency steps only)
  std::string what;                        // for progress and errors: "pip install"
};

struct Step {
  StepKind kind = StepKind::function;
  // The files of the source folder this step reads, relative and "/"-separated. They are the
  // step's cache-key inputs and, for a step without commands, exactly what is packed.
  std::vector<std::string> input_include;  // empty: every file
  std::vector<std::string> input_exclude;
  // Further key material (the index URL, the runtime, a setting): name -> value.
  std::map<std::string, std::string> key_fields;
  // Commands whose output identifies the toolchain (`python3.12 -m pip --version`); the
  // builder runs them on the host and adds their output to the key.
  std::vector<Command> identity_probes;
  // Run in order, with cwd {work}. Empty: the step's output is its input files as they are.
  std::vector<Command> commands;
  // Copy the input files into {work} (same relative paths) before the commands run, for tools
  // that write next to their inputs (npm, go, mvn): the source folder is never written.
  bool stage_inputs = false;
  // Files the builder writes under {work} before the commands run (relative path -> content),
  // e.g. a requirements file generated from poetry.lock. They are part of the key.
  std::map<std::string, std::string> generated_files;
  // The folder packed after the commands: "{out}" or a folder under "{work}" such as
  // "{work}/node_modules". Its files go into the zip under zip_prefix.
  std::string output_root = "{out}";
  std::string zip_prefix;  // "python/", "nodejs/node_modules/", or ""
  // Files of {out} that are not packed (globs, see base/glob.hpp): caches, bytecode...
  std::vector<std::string> output_exclude;
  // Paths (relative to the zip root) that must be executable (0755), e.g. "bootstrap".
  std::vector<std::string> executables;
  // Runs after the commands, on the output root, to remove nondeterminism a tool left behind
  // (pip's direct_url.json with absolute paths, RECORD lines of removed files, jar
  // timestamps). Pure file edits, no processes. May be empty.
  std::function<Result<void>(const fs::path& output_root)> normalize;
};

struct Plan {
  std::string plugin;                 // "python"
  std::string plugin_version;         // part of every key of this plugin's steps
  std::string runtime;                // Lambda's id: "python3.12"
  std::string handler;                // "app.lambda_handler"
  std::vector<std::string> evidence;  // what detection found: "requirements.txt", ...
  std::optional<Step> layer;          // none when the function has no dependencies
  Step function;
};

struct PythonOptions {
  std::string interpreter;        // "" : python3.X on PATH, else any pip (cross mode)
  std::string requirements_file;  // "" : found by detection
  std::string index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;
  bool no_index = false;
};

struct NodeOptions {
  std::string build_script;  // "" : none; else `npm run <script>` in the function step
  std::string output_dir;    // the build's output folder, when build_script is set
};

struct PlanRequest {
  fs::path src;
  Arch arch = Arch::x86_64;
  std::string runtime;               // Lambda runtime id, "" for the plugin's default
  std::string handler;               // "" for the plugin's default
  std::vector<std::string> exclude;  // the user's excludes for the function step
  bool offline = false;
  // lpack's own environment, from which documented variables (PIP_INDEX_URL, GOPROXY,
  // npm_config_registry...) pass through. Plugins read nothing else of the machine.
  std::map<std::string, std::string> environment;
  PythonOptions python;
  NodeOptions node;
};

struct Detection {
  bool claimed = false;
  // 2: a dependency manifest or lockfile (package.json, go.mod, pom.xml, requirements.txt...);
  // 1: only source files (a top-level app.py). The strongest claims win; two plugins with
  // equally strong claims and no --runtime is an error naming both.
  int strength = 0;
  std::vector<std::string> evidence;  // "requirements.txt", "poetry.lock"...
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual std::string_view id() const = 0;       // "python"
  virtual std::string_view version() const = 0;  // plugin version, bumps invalidate keys
  virtual std::vector<std::string> lambda_runtimes() const = 0;  // "python3.9", ...
  virtual std::string_view default_runtime() const = 0;
  // What the plugin looks for, for "no runtime detected" messages: "requirements.txt, ...".
  virtual std::string_view looks_for() const = 0;
  virtual Detection detect(const fs::path& src) const = 0;
  // bad_input Errors name the file and the fix.
  virtual Result<Plan> plan(const PlanRequest& request) const = 0;
  // Checks the handler against the function's packed files (zip path -> file on disk),
  // e.g. that app.py defines lambda_handler. bad_input when it does not.
  virtual Result<void> check_handler(const Plan& plan,
                                     const std::vector<TreeEntry>& function_files) const = 0;
};

// Every plugin, in a fixed order.
const std::vector<std::unique_ptr<Runtime>>& all_runtimes();
// The plugin for a plugin id ("python") or a Lambda runtime id ("python3.12"); null if none.
const Runtime* find_runtime(std::string_view id);

// Default excludes of every function step: VCS folders, lpack's own output and cache...
const std::vector<std::string>& common_function_excludes();

}  // namespace lpack::runtimes
