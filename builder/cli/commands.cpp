#include "builder/cli/commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <map>

#include "base/arch.hpp"
#include "base/redact.hpp"
#include "builder/cli/progress.hpp"
#include "sandbox/sandbox.hpp"

extern char** environ;

namespace lpack::cli {
namespace {

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::string human_size(uint64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return text;
}

void print_error(const Error& error) {
  std::fprintf(stderr, "lpack: error: %s\n", redact(error.message()).c_str());
}

void print_artifact(const fs::path& out, const builder::ArtifactReport& a) {
  std::printf("%-28s %10s  %6llu entries  sha256 %s  cache %s\n", (out / a.file).c_str(),
              human_size(a.size).c_str(), static_cast<unsigned long long>(a.entries),
              a.sha256.substr(0, 16).c_str(), a.cache.c_str());
}

}  // namespace

int exit_code_for(const Error& error) {
  switch (error.code()) {
    case ErrorCode::bad_usage:
    case ErrorCode::bad_input:
      return 2;
    default:
      return 1;
  }
}

void CommandSet::add_build_options(CLI::App* command) {
  command->add_option("SRC", m_src, "the function's source folder")->capture_default_str();
  command->add_option("--arch", m_arch, "target architecture: x86_64 or arm64 (default: the config's, else x86_64)");
  command->add_option("--runtime", m_build.runtime, "runtime id, e.g. python3.12 (default: detected)");
  command->add_option("--out", m_out, "output folder")->capture_default_str();
  command->add_option("--cache-dir", m_cache_dir, "cache folder (default: $XDG_CACHE_HOME/lpack, else ~/.cache/lpack)");
  command->add_flag("--no-cache", m_build.no_cache, "neither read nor write the cache");
  command->add_flag("--offline", m_build.offline, "never use the network");
  command->add_flag("--json", m_json, "print manifest.json on stdout");
  command->add_flag("-q,--quiet", m_quiet, "no progress on stderr");
  command->add_option("-j,--jobs", m_build.jobs, "threads for hashing and compression (0: all cores); never changes the output")
      ->check(CLI::NonNegativeNumber);
}

void CommandSet::register_all(CLI::App& app) {
  m_build_cmd = app.add_subcommand("build", "build function.zip, layer.zip and manifest.json");
  add_build_options(m_build_cmd);
  m_layer_cmd = app.add_subcommand("layer", "build only the dependency layer (layer.zip)");
  add_build_options(m_layer_cmd);
  m_help_cmd = app.add_subcommand("help", "show help for lpack or one command");
  m_help_cmd->add_option("COMMAND", m_help_topic, "the command to explain");
}

int CommandSet::run(CLI::App& app) {
  if (m_help_cmd->parsed() || app.get_subcommands().empty()) {
    if (!m_help_topic.empty()) {
      try {
        std::printf("%s", app.get_subcommand(m_help_topic)->help().c_str());
      } catch (const CLI::OptionNotFound&) {
        std::fprintf(stderr, "lpack: error: no command \"%s\"; see `lpack help`\n", m_help_topic.c_str());
        return 2;
      }
      return 0;
    }
    std::printf("%s", app.help().c_str());
    return app.get_subcommands().empty() && !m_help_cmd->parsed() ? 2 : 0;
  }

  m_build.src = m_src;
  m_build.out = m_out;
  m_build.cache_dir = m_cache_dir;
  m_build.layer_only = m_layer_cmd->parsed();
  if (!m_arch.empty()) {
    auto arch = parse_arch(m_arch);
    if (!arch) {
      print_error(bad_usage("--arch " + m_arch + ": unknown architecture; use x86_64 or arm64"));
      return 2;
    }
    m_build.arch = *arch;
  }

  Progress progress(m_quiet);
  auto sandbox = sandbox::make_host_sandbox();
  builder::Services services;
  services.sandbox = sandbox.get();
  services.environment = process_environment();
  services.progress = [&](std::string_view line) { progress.line(line); };

  auto report = builder::build(m_build, services);
  progress.finish();
  if (!report) {
    print_error(report.error());
    return exit_code_for(report.error());
  }
  for (const auto& w : report->warnings) std::fprintf(stderr, "lpack: warning: %s\n", w.c_str());
  if (m_json) {
    std::printf("%s", report->manifest_json.c_str());
    return 0;
  }
  if (report->function) print_artifact(report->out_dir, *report->function);
  if (report->layer) print_artifact(report->out_dir, *report->layer);
  std::printf("%-28s\n", (report->out_dir / "manifest.json").c_str());
  return 0;
}

}  // namespace lpack::cli
