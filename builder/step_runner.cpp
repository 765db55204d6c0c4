#include "builder/step_runner.hpp"

#include <sys/stat.h>

#include <future>
#include <system_error>

#include "base/process.hpp"
#include "base/redact.hpp"
#include "builder/zip/zip_writer.hpp"

namespace lpack::builder {

std::string substitute(std::string_view text, const StepPaths& paths) {
  static const std::pair<std::string_view, const fs::path StepPaths::*> k_placeholders[] = {
      {"{src}", &StepPaths::src},
      {"{work}", &StepPaths::work},
      {"{out}", &StepPaths::out},
      {"{toolcache}", &StepPaths::toolcache},
  };
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '{') {
      for (const auto& [name, member] : k_placeholders) {
        if (text.substr(i, name.size()) == name) {
          out += (paths.*member).string();
          i += name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

std::map<std::string, std::string> base_environment(
    const std::map<std::string, std::string>& host_env, const StepPaths& paths, int64_t timestamp) {
  std::map<std::string, std::string> env;
  auto path = host_env.find("PATH");
  env["PATH"] = path != host_env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  env["HOME"] = (paths.work / "home").string();
  env["TMPDIR"] = (paths.work / "tmp").string();
  env["LANG"] = "C.UTF-8";
  env["LC_ALL"] = "C.UTF-8";
  env["TZ"] = "UTC";
  env["SOURCE_DATE_EPOCH"] = std::to_string(timestamp);
  // pyenv's shims need to know where pyenv lives; without it a python3.X shim cannot run.
  for (const char* name : {"PYENV_ROOT"}) {
    auto it = host_env.find(name);
    if (it != host_env.end()) env[name] = it->second;
  }
  return env;
}

Result<std::vector<TreeEntry>> list_inputs(const runtimes::Step& step, const fs::path& src) {
  WalkOptions options;
  options.include = PathPatternSet(step.input_include);
  options.exclude = PathPatternSet(step.input_exclude);
  return walk_tree(src, options);
}

namespace {

Result<void> make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return errno_error(dir.string(), ec.value());
  return ok();
}

Result<void> stage_inputs(const std::vector<TreeEntry>& inputs, const fs::path& work) {
  for (const auto& entry : inputs) {
    if (entry.is_dir) continue;
    fs::path dest = work / entry.path;
    LPACK_TRY(make_dirs(dest.parent_path()));
    std::error_code ec;
    fs::copy_file(entry.source, dest, fs::copy_options::overwrite_existing, ec);
    if (ec) return errno_error(entry.source, ec.value()).context("cannot stage input");
    // The copy must not be read-only (tools write next to it) and keeps the exec bit.
    ::chmod(dest.c_str(), entry.executable ? 0755 : 0644);
  }
  return ok();
}

sandbox::RunSpec make_run_spec(const runtimes::Command& command, const StepPaths& paths,
                               const StepContext& context) {
  sandbox::RunSpec spec;
  for (const auto& arg : command.argv) spec.argv.push_back(substitute(arg, paths));
  spec.env = base_environment(*context.host_env, paths, context.timestamp);
  for (const auto& [key, value] : command.env) spec.env[key] = substitute(value, paths);
  spec.workdir = paths.work;
  spec.source_dir = paths.src;
  spec.writable_dirs = {paths.out, paths.toolcache};
  spec.network = command.network;
  spec.arch = context.arch;
  return spec;
}

}  // namespace

Result<StepOutput> run_step(const runtimes::Step& step, const std::vector<TreeEntry>& inputs,
                            const StepContext& context) {
  const auto kind = runtimes::step_kind_name(step.kind);
  if (step.commands.empty()) {
    // The inputs are the output; no scratch folder is needed.
    auto scratch = LPACK_TRY(TempDir::create("lpack-"));
    return StepOutput{std::move(scratch), inputs, PrecompressedSet()};
  }
  auto scratch = LPACK_TRY(TempDir::create("lpack-" + std::string(kind) + "-"));
  StepPaths paths{context.src, scratch.path() / "work", scratch.path() / "out", context.toolcache};
  LPACK_TRY(make_dirs(paths.work / "home"));
  LPACK_TRY(make_dirs(paths.work / "tmp"));
  LPACK_TRY(make_dirs(paths.out));
  LPACK_TRY(make_dirs(paths.toolcache));
  if (step.stage_inputs) LPACK_TRY(stage_inputs(inputs, paths.work));
  for (const auto& [name, content] : step.generated_files) {
    fs::path file = paths.work / name;
    LPACK_TRY(make_dirs(file.parent_path()));
    LPACK_TRY(write_file_atomic(file, content));
  }

  fs::path output_root = substitute(step.output_root, paths);
  // While the last command runs, the output of the ones before is mostly final: its large
  // files are compressed meanwhile, on one thread (precompress.hpp says why that is safe).
  // The future joins when it goes out of scope, also on the error paths below.
  std::future<PrecompressedSet> precompressing;
  for (size_t i = 0; i < step.commands.size(); ++i) {
    const auto& command = step.commands[i];
    if (i > 0 && i + 1 == step.commands.size()) {
      precompressing = std::async(std::launch::async, [&output_root] {
        try {
          return precompress_tree(output_root, k_default_zip_level);
        } catch (const std::exception&) {  // out of memory: the writer compresses them itself
          return PrecompressedSet();
        }
      });
    }
    auto spec = make_run_spec(command, paths, context);
    std::string what = command.what.empty() ? spec.argv[0] : command.what;
    if (context.progress) context.progress(std::string(kind) + ": " + what);
    spec.on_line = [&](std::string_view line) {
      if (context.progress) context.progress(std::string(kind) + ": " + redact(line));
    };
    auto result = LPACK_TRY_CTX(context.sandbox->run(spec), std::string(kind) + ": " + what);
    if (result.exit_code != 0) {
      std::string tail = redact(last_lines(result.output, 15));
      return build_failed(std::string(kind) + ": " + what + " failed (exit " +
                          std::to_string(result.exit_code) + ")" +
                          (tail.empty() ? "" : ":\n" + tail));
    }
  }

  std::error_code ec;
  if (!fs::is_directory(output_root, ec)) {
    // A tool that succeeded but wrote nothing (npm with no dependencies) packs as empty.
    LPACK_TRY(make_dirs(output_root));
  }
  if (step.normalize) LPACK_TRY_CTX(step.normalize(output_root), std::string(kind));
  WalkOptions options;
  options.exclude = PathPatternSet(step.output_exclude);
  auto files = LPACK_TRY_CTX(walk_tree(output_root, options), std::string(kind) + " output");
  PrecompressedSet precompressed =
      precompressing.valid() ? precompressing.get() : PrecompressedSet();
  return StepOutput{std::move(scratch), std::move(files), std::move(precompressed)};
}

Result<std::vector<std::string>> run_identity_probes(const runtimes::Step& step,
                                                     const StepContext& context) {
  std::vector<std::string> lines;
  if (step.identity_probes.empty()) return lines;
  auto scratch = LPACK_TRY(TempDir::create("lpack-probe-"));
  StepPaths paths{context.src, scratch.path(), scratch.path() / "out", context.toolcache};
  LPACK_TRY(make_dirs(paths.work / "home"));
  LPACK_TRY(make_dirs(paths.work / "tmp"));
  for (const auto& probe : step.identity_probes) {
    auto spec = make_run_spec(probe, paths, context);
    auto result = context.sandbox->run(spec);
    std::string argv_text = quote_argv(probe.argv);
    if (!result) {
      return bad_input(argv_text + ": " + result.error().message() +
                       "; install it or point lpack at it in lpack.toml");
    }
    if (result->exit_code != 0) {
      return bad_input(argv_text + " failed (exit " + std::to_string(result->exit_code) +
                       "): " + last_lines(result->output, 3));
    }
    std::string output = result->output;
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    lines.push_back(argv_text + " => " + output);
  }
  return lines;
}

}  // namespace lpack::builder
