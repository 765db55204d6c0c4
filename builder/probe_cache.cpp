#include "builder/probe_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include "base/sha256.hpp"

namespace lpack::builder {
namespace {

constexpr std::string_view k_magic = "lpack-probe 1\n";

void add_stat(std::string& guard, const fs::path& path) {
  struct stat st {};
  guard += path.string();
  if (::stat(path.c_str(), &st) == 0) {
    guard += ' ' + std::to_string(st.st_ino) + ' ' + std::to_string(st.st_size) + ' ' +
             std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec) + ' ' +
             std::to_string(st.st_ctim.tv_sec) + '.' + std::to_string(st.st_ctim.tv_nsec);
  }
  guard += '\n';
}

// The guard text of one probe, or "" when its program cannot be found (then it is not memoised).
std::string guard_for(const runtimes::Command& probe,
                      const std::map<std::string, std::string>& env) {
  if (probe.argv.empty()) return "";
  std::string program = probe.argv[0];
  std::optional<fs::path> found;
  if (program.find('/') != std::string::npos) {
    found = fs::path(program);
  } else {
    // The probe runs with the host's PATH (base_environment keeps it).
    auto path = env.find("PATH");
    std::string_view dirs = path != env.end() ? std::string_view(path->second) : "/usr/bin:/bin";
    while (!found) {
      size_t colon = dirs.find(':');
      fs::path candidate = fs::path(dirs.substr(0, colon)) / program;
      if (::access(candidate.c_str(), X_OK) == 0) found = candidate;
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
  }
  if (!found) return "";
  std::error_code ec;
  fs::path real = fs::canonical(*found, ec);
  if (ec) return "";
  std::string guard;
  for (const auto& arg : probe.argv) guard += arg + '\0';
  guard += '\n';
  for (const auto& [k, v] : probe.env) guard += k + '=' + v + '\n';
  // pyenv shims pick an interpreter by PYENV_VERSION and the folder's .python-version.
  for (const char* name : {"PATH", "PYENV_VERSION", "PYENV_ROOT", "JAVA_HOME", "GOROOT"}) {
    auto it = env.find(name);
    if (it != env.end()) guard += std::string(name) + '=' + it->second + '\n';
  }
  add_stat(guard, *found);
  add_stat(guard, real);
  fs::path dir = real.parent_path();
  add_stat(guard, dir);
  fs::path lib = dir.parent_path() / "lib";
  add_stat(guard, lib);
  for (const auto& sub : fs::directory_iterator(lib, ec)) {
    if (!sub.is_directory(ec)) continue;
    add_stat(guard, sub.path());
    if (fs::exists(sub.path() / "site-packages", ec)) add_stat(guard, sub.path() / "site-packages");
  }
  return guard;
}

}  // namespace

Result<std::vector<std::string>> probe_toolchain(const runtimes::Step& step,
                                                 const StepContext& context,
                                                 const fs::path& memo_dir) {
  if (memo_dir.empty() || step.identity_probes.empty()) return run_identity_probes(step, context);
  std::vector<std::string> lines;
  for (const auto& probe : step.identity_probes) {
    std::string guard = guard_for(probe, *context.host_env);
    fs::path memo;
    if (!guard.empty()) {
      memo = memo_dir / to_hex(sha256(guard));
      auto text = read_file(memo);
      if (text && text->compare(0, k_magic.size(), k_magic) == 0) {
        lines.push_back(text->substr(k_magic.size()));
        continue;
      }
    }
    runtimes::Step single;
    single.identity_probes = {probe};
    auto result = LPACK_TRY(run_identity_probes(single, context));
    lines.push_back(result.at(0));
    if (!memo.empty()) {
      std::error_code ec;
      fs::create_directories(memo.parent_path(), ec);
      // A memo that cannot be written only costs the next build a probe.
      (void)write_file_atomic(memo, std::string(k_magic) + result.at(0));
    }
  }
  return lines;
}

}  // namespace lpack::builder
