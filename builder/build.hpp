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
namespace lpack::cache {
class LocalStore;
}

namespace lpack::builder {

struct BuildOptions {
  fs::path src = ".";
  std::optional<Arch> arch;  // unset: the config's, else x86_64
  std::string runtime;       // "" : detected
  fs::path out = "lpack-out";
  fs::path cache_dir;  // "" : $XDG_CACHE_HOME/lpack, else ~/.cache/lpack
  bool no_cache = false;
  bool layer_only = false;  // `lpack layer`
  bool offline = false;
  int jobs = 0;  // 0 : all cores; never changes the output
};

struct ArtifactReport {
  std::string file;         // "function.zip"
  std::string sha256;       // hex
  std::string code_sha256;  // base64, as Lambda reports CodeSha256
  uint64_t size = 0;
  uint64_t unpacked_size = 0;
  uint64_t entries = 0;
  std::string key;    // action key (hex)
  std::string cache;  // "hit" | "miss" | "off"
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
  // The cache; null runs without one (--no-cache), as if every lookup missed.
  cache::LocalStore* store = nullptr;
  // Live progress lines ("layer: pip install (arm64) ...") and warnings; may be empty.
  std::function<void(std::string_view)> progress;
  // lpack's environment (for documented pass-through variables and SOURCE_DATE_EPOCH).
  std::map<std::string, std::string> environment;
};

Result<BuildReport> build(const BuildOptions& options, Services& services);

// `lpack explain`: each step's key components and, when the store remembers the previous
// build of the same source folder and step, what changed since.
struct StepExplanation {
  std::string step;                  // "layer" | "function"
  std::string key;                   // hex
  std::string key_text;              // canonical text
  bool cached = false;               // the store has an artifact for this key
  bool has_previous = false;         // a previous build of this slot is remembered
  std::vector<std::string> changes;  // since the previous build; empty: same key
};
Result<std::vector<StepExplanation>> explain(const BuildOptions& options, Services& services);

// `lpack verify`: rebuilds without the cache in a fresh temporary folder and compares, byte
// for byte, with the artifacts in options.out. `differences` is empty when they match.
struct VerifyReport {
  std::vector<std::string> checked;      // "function.zip", "layer.zip"
  std::vector<std::string> differing;    // those of `checked` whose bytes differ
  std::vector<std::string> differences;  // "layer.zip: python/x.py: content differs"...
};
Result<VerifyReport> verify(const BuildOptions& options, Services& services);

}  // namespace lpack::builder
