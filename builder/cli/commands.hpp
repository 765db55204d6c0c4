// The subcommands of lpack and their options. Each command turns its parsed options into a
// library call and the result into output and an exit code: 0 success, 1 the build or a
// check failed (or verify found a difference), 2 bad usage or bad input.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>

#include "builder/build.hpp"

namespace lpack::cache {
class LocalStore;
}

namespace lpack::cli {

class CommandSet {
 public:
  void register_all(CLI::App& app);
  // Runs the subcommand that was parsed; returns the process exit code.
  int run(CLI::App& app);

 private:
  void add_build_options(CLI::App* command);
  int run_build();
  int run_explain();
  int run_verify();
  int run_cache();
  // Fills m_build from the parsed strings; a bad --arch is reported and returns false.
  bool finish_build_options();
  // Opens the cache (--cache-dir or the default); null with a warning when it cannot be
  // opened, so the build goes on without it.
  std::unique_ptr<cache::LocalStore> open_store(bool required);

  std::map<std::string, std::string> m_env;
  builder::BuildOptions m_build;
  std::string m_src = ".";
  std::string m_arch;
  std::string m_out = "lpack-out";
  std::string m_cache_dir;
  bool m_json = false;
  bool m_quiet = false;
  std::string m_help_topic;
  std::string m_max_size;

  CLI::App* m_build_cmd = nullptr;
  CLI::App* m_layer_cmd = nullptr;
  CLI::App* m_explain_cmd = nullptr;
  CLI::App* m_verify_cmd = nullptr;
  CLI::App* m_cache_cmd = nullptr;
  CLI::App* m_help_cmd = nullptr;
};

// Exit code for an error: 2 for bad usage or input, else 1.
int exit_code_for(const Error& error);

}  // namespace lpack::cli
