#include "builder/cli/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "base/arch.hpp"
#include "base/redact.hpp"
#include "builder/cli/output.hpp"
#include "builder/cli/progress.hpp"
#include "cache/store.hpp"
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
  command->add_option("--arch", m_arch,
                      "target architecture: x86_64 or arm64 (default: the config's, else x86_64)");
  command->add_option("--runtime", m_build.runtime,
                      "runtime id, e.g. python3.12 (default: detected)");
  command->add_option("--out", m_out, "output folder")->capture_default_str();
  command->add_option("--cache-dir", m_cache_dir,
                      "cache folder (default: $XDG_CACHE_HOME/lpack, else ~/.cache/lpack)");
  command->add_flag(
      "--no-cache", m_build.no_cache,
      "neither read nor write the artifact cache (tool caches stay in $TMPDIR/lpack-tools-<uid>)");
  command->add_flag("--offline", m_build.offline, "never use the network");
  command->add_flag("--json", m_json, "print the result as JSON on stdout");
  command->add_flag("-q,--quiet", m_quiet, "no progress on stderr");
  command
      ->add_option("-j,--jobs", m_build.jobs,
                   "threads for hashing and compression (0: all cores); never changes the output")
      ->check(CLI::Range(0, 1024));
}

void CommandSet::register_all(CLI::App& app) {
  m_build_cmd =
      app.add_subcommand("build", "build function.zip, layer.zip and manifest.json into --out");
  add_build_options(m_build_cmd);
  m_layer_cmd = app.add_subcommand("layer", "build only the dependency layer (layer.zip)");
  add_build_options(m_layer_cmd);
  m_explain_cmd = app.add_subcommand(
      "explain", "show each step's cache key and what changed since the last build");
  add_build_options(m_explain_cmd);
  m_verify_cmd = app.add_subcommand(
      "verify", "rebuild without the cache and compare byte for byte with --out");
  add_build_options(m_verify_cmd);

  m_cache_cmd = app.add_subcommand("cache", "inspect and maintain the local cache");
  m_cache_cmd->require_subcommand(1);
  for (auto [name, what] :
       {std::pair{"stats", "entries, bytes, hits and misses"},
        std::pair{"verify", "re-hash every blob and record; exit 1 when any is corrupt"},
        std::pair{"gc", "remove least recently used entries down to --max-size"},
        std::pair{"clear", "remove every entry"}}) {
    auto* sub = m_cache_cmd->add_subcommand(name, what);
    sub->add_option("--cache-dir", m_cache_dir,
                    "cache folder (default: $XDG_CACHE_HOME/lpack, else ~/.cache/lpack)");
    if (std::string_view(name) == "gc")
      sub->add_option("--max-size", m_max_size, "e.g. 500M, 2G, 1GiB")->required();
    if (std::string_view(name) == "stats") sub->add_flag("--json", m_json, "print JSON");
  }

  m_help_cmd = app.add_subcommand("help", "show help for lpack or one command");
  m_help_cmd->add_option("COMMAND", m_help_topic, "the command to explain");
}

bool CommandSet::finish_build_options() {
  m_build.src = m_src;
  m_build.out = m_out;
  m_build.cache_dir = m_cache_dir;
  m_build.layer_only = m_layer_cmd->parsed();
  // More threads than cores changes nothing in the output and only makes TBB complain.
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (m_build.jobs > cores) m_build.jobs = cores;
  if (!m_arch.empty()) {
    auto arch = parse_arch(m_arch);
    if (!arch) {
      print_error(bad_usage("--arch " + m_arch + ": unknown architecture; use x86_64 or arm64"));
      return false;
    }
    m_build.arch = *arch;
  }
  return true;
}

std::unique_ptr<cache::LocalStore> CommandSet::open_store(bool required) {
  fs::path dir = m_cache_dir.empty() ? cache::default_cache_dir(m_env) : fs::absolute(m_cache_dir);
  if (dir.empty()) {
    if (required)
      print_error(bad_usage("no cache folder: set HOME or XDG_CACHE_HOME, or pass --cache-dir"));
    else
      print_warning("no cache folder (HOME and XDG_CACHE_HOME unset); building without a cache");
    return nullptr;
  }
  auto store = cache::LocalStore::open(dir);
  if (!store) {
    if (required)
      print_error(store.error());
    else
      print_warning("cache " + dir.string() + " unusable (" + store.error().message() +
                    "); building without it");
    return nullptr;
  }
  return std::move(*store);
}

int CommandSet::run(CLI::App& app) {
  m_env = process_environment();
  if (m_help_cmd->parsed() || app.get_subcommands().empty()) {
    // App::help() would describe the parsed `help` subcommand; format the page we mean.
    if (!m_help_topic.empty()) {
      CLI::App* topic = nullptr;
      try {
        topic = app.get_subcommand(m_help_topic);
      } catch (const CLI::OptionNotFound&) {
        print_error(bad_usage("no command \"" + m_help_topic + "\"; see `lpack help`"));
        return 2;
      }
      std::printf("%s", topic->get_formatter()
                            ->make_help(topic, "lpack " + m_help_topic, CLI::AppFormatMode::Normal)
                            .c_str());
      return 0;
    }
    std::printf("%s",
                app.get_formatter()->make_help(&app, "lpack", CLI::AppFormatMode::Normal).c_str());
    return m_help_cmd->parsed() ? 0 : 2;
  }
  if (m_cache_cmd->parsed()) return run_cache();
  if (!finish_build_options()) return 2;
  if (m_explain_cmd->parsed()) return run_explain();
  if (m_verify_cmd->parsed()) return run_verify();
  return run_build();
}

int CommandSet::run_build() {
  Progress progress(m_quiet);
  auto sandbox = sandbox::make_host_sandbox();
  auto store = m_build.no_cache ? nullptr : open_store(false);
  builder::Services services{sandbox.get(), store.get(),
                             [&](std::string_view line) { progress.line(line); }, m_env};
  auto report = builder::build(m_build, services);
  progress.finish();
  if (!report) {
    print_error(report.error());
    return exit_code_for(report.error());
  }
  for (const auto& w : report->warnings) print_warning(w);
  if (m_json) {
    std::printf("%s", report->manifest_json.c_str());
  } else {
    print_build_report(*report);
  }
  return 0;
}

int CommandSet::run_explain() {
  Progress progress(m_quiet);
  auto sandbox = sandbox::make_host_sandbox();
  auto store = m_build.no_cache ? nullptr : open_store(false);
  builder::Services services{sandbox.get(), store.get(),
                             [&](std::string_view line) { progress.line(line); }, m_env};
  auto steps = builder::explain(m_build, services);
  progress.finish();
  if (!steps) {
    print_error(steps.error());
    return exit_code_for(steps.error());
  }
  print_explanations(*steps, m_json);
  return 0;
}

int CommandSet::run_verify() {
  Progress progress(m_quiet);
  auto sandbox = sandbox::make_host_sandbox();
  builder::Services services{sandbox.get(), nullptr,
                             [&](std::string_view line) { progress.line(line); }, m_env};
  auto report = builder::verify(m_build, services);
  progress.finish();
  if (!report) {
    print_error(report.error());
    return exit_code_for(report.error());
  }
  return print_verify_report(*report, m_json) ? 0 : 1;
}

int CommandSet::run_cache() {
  auto store = open_store(true);
  if (!store) return 2;
  auto* sub = m_cache_cmd->get_subcommands().at(0);
  std::string name = sub->get_name();
  if (name == "stats") {
    auto stats = store->stats();
    if (!stats) return print_error(stats.error()), exit_code_for(stats.error());
    print_cache_stats(store->root(), *stats, m_json);
    return 0;
  }
  if (name == "verify") {
    auto report = store->verify();
    if (!report) return print_error(report.error()), exit_code_for(report.error());
    for (const auto& line : report->corrupt) std::printf("corrupt: %s\n", line.c_str());
    std::printf("checked %llu entries, %zu corrupt\n",
                static_cast<unsigned long long>(report->checked), report->corrupt.size());
    return report->corrupt.empty() ? 0 : 1;
  }
  if (name == "gc") {
    auto max = cache::parse_size(m_max_size);
    if (!max) return print_error(max.error()), 2;
    auto report = store->gc(*max);
    if (!report) return print_error(report.error()), exit_code_for(report.error());
    std::printf("removed %llu records and %llu blobs; %s -> %s\n",
                static_cast<unsigned long long>(report->removed_records),
                static_cast<unsigned long long>(report->removed_blobs),
                human_size(report->bytes_before).c_str(), human_size(report->bytes_after).c_str());
    return 0;
  }
  auto cleared = store->clear();
  if (!cleared) return print_error(cleared.error()), exit_code_for(cleared.error());
  std::printf("cleared %s\n", store->root().c_str());
  return 0;
}

}  // namespace lpack::cli
