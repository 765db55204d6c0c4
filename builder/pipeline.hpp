// The phases build, explain and verify share: read the config, pick the runtime and plan
// (prepare), then list, hash and key each step (key_step). Internal to builder/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "builder/build.hpp"
#include "builder/config/config.hpp"
#include "builder/step_runner.hpp"
#include "cache/action_key.hpp"
#include "cache/file_hasher.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::cache {
class StatCache;
}

namespace lpack::builder {

struct Prepared {
  Config config;
  fs::path src;  // canonical; [build] source_path applied
  Arch arch = Arch::x86_64;
  int64_t timestamp = 0;  // SOURCE_DATE_EPOCH, else 1980-01-01
  std::string compressor;
  fs::path cache_root;  // "" when there is no cache folder at all (--no-cache)
  // Where the plugins' tool caches (<plugin>/) and the toolchain probe memo (probes/) live:
  // <cache_root>/tools, or with --no-cache a private per-user scratch folder, because both
  // only make builds faster, never different (see private_scratch_folder()).
  fs::path tools_root;
  const runtimes::Runtime* runtime = nullptr;
  runtimes::Plan plan;
  bool build_layer = false;
};

// Reads the config, resolves arch and runtime, and asks the plugin for its plan. bad_input
// Errors for a missing SRC, a bad config, an unknown or undetectable runtime.
Result<Prepared> prepare(const BuildOptions& options, const Services& services);

struct KeyedStep {
  const runtimes::Step* step = nullptr;
  std::vector<TreeEntry> inputs;
  cache::ActionKey key;
  std::string slot;  // names "the previous build of this source folder's step" in the store
};

// Lists and hashes the step's inputs (memoised by `stat_cache` when given), runs its
// identity probes (memoised in the cache folder) and builds its key.
Result<KeyedStep> key_step(const Prepared& prepared, const runtimes::Step& step,
                           const BuildOptions& options, const Services& services,
                           cache::StatCache* stat_cache);

// The StepContext for running `step` of a prepared plan.
StepContext step_context(const Prepared& prepared, const Services& services);

}  // namespace lpack::builder
