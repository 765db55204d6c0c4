// Builds a step's action key (cache/action_key.hpp) from everything that can change the
// bytes of its zip: lpack's packaging format and compressor, the plugin and its version,
// runtime, arch, the step's recipe, the toolchain's identity and the step's input files.
#pragma once

#include <string>
#include <vector>

#include "cache/action_key.hpp"
#include "cache/file_hasher.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::builder {

// Bumped whenever lpack's packing changes the bytes it writes for the same inputs.
inline constexpr const char* k_packaging_format = "1";

struct KeyContext {
  const runtimes::Plan* plan = nullptr;
  Arch arch = Arch::x86_64;
  int64_t timestamp = 0;               // zip entry time; changes the bytes
  std::string compressor;              // compressor_identity()
  std::vector<std::string> toolchain;  // run_identity_probes() lines
};

cache::ActionKey step_key(const runtimes::Step& step, const KeyContext& context,
                          const std::vector<cache::FileDigest>& inputs);

}  // namespace lpack::builder
