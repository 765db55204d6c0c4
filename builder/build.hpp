// The build pipeline: detect -> plan -> key -> lookup -> run -> pack -> check -> store,
// for one source folder. The CLI turns argv into BuildOptions, calls build() and prints the
// BuildReport; nothing here prints or exits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/arch.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::sandbox {
class Sandbox;
}

namespace lpack::builder {

struct BuildOptions {
  fs::path src = ".";
  std::optional<Arch> arch;      // unset: the config's, else x86_64
  std::string runtime;           // "" : detected
  fs::path out = "lpack-out";
  fs::path cache_dir;            // "" : $XDG_CACHE_HOME/lpack, else ~/.cache/lpack
  bool no_cache = false;
  bool layer_only = false;       // `lpack layer`
  bool offline = false;
  int jobs = 0;                  // 0 : all cores; never changes the output
};

struct ArtifactReport {
  std::string file;          // "function.zip"
  std::string sha256;        // hex
  std::string code_sha256;   // base64, as Lambda reports CodeSha256
  uint64_t size = 0;
  uint64_t unpacked_size = 0;
  uint64_t entries = 0;
  std::string key;           // action key (hex)
  std::string cache;         // "hit" | "miss" | "off"
};

struct BuildReport {
  std::string plugin;
  std::string runtime;
  std::string arch;
  std::string handler;
  std::vector<std::string> evidence;
  std::string compressor;
  std::optional<ArtifactReport> function;
  std::optional<ArtifactReport> layer;
  std::vector<std::string> warnings;
  fs::path out_dir;
  std::string manifest_json;  // what was written to out/manifest.json
};

// What the pipeline uses of the outside world; tests pass their own.
struct Services {
  sandbox::Sandbox* sandbox = nullptr;
  // Live progress lines ("layer: pip install (arm64) ...") and warnings; may be empty.
  std::function<void(std::string_view)> progress;
  // lpack's environment (for documented pass-through variables and SOURCE_DATE_EPOCH).
  std::map<std::string, std::string> environment;
};

Result<BuildReport> build(const BuildOptions& options, Services& services);

}  // namespace lpack::builder
