// manifest.json, written beside the artifacts. Its shape (every key always present unless
// marked optional; objects' keys sorted):
//   { "lpack_version": str, "plugin": str, "runtime": str, "arch": "x86_64"|"arm64",
//     "handler": str, "evidence": [str], "compressor": str, "source_date_epoch": int,
//     "artifacts": { ("function"|"layer"): { "file": str, "sha256": hex, "code_sha256": base64,
//                    "size": int, "unpacked_size": int, "entries": int, "key": hex,
//                    "cache": "hit"|"miss"|"off" } },
//     "warnings": [str] }
// It holds no absolute path, time of day or secret, so identical builds give identical
// manifests.
#pragma once

#include <string>

#include "builder/build.hpp"

namespace lpack::builder {

std::string manifest_json(const BuildReport& report, int64_t source_date_epoch);

}  // namespace lpack::builder
