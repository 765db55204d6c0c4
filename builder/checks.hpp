// Checks on what is about to be published, run before any artifact is renamed into place:
// every ELF file matches the target arch, and the sizes fit Lambda's limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/arch.hpp"
#include "base/error.hpp"
#include "builder/zip/zip_writer.hpp"

namespace lpack::builder {

// Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
inline constexpr uint64_t k_max_unzipped_bytes = 262144000;      // function + layers, unzipped
inline constexpr uint64_t k_max_direct_upload_bytes = 52428800;  // zip uploaded directly

// build_failed listing each ELF file whose machine differs from `arch` ("python/x.so: x86-64").
Result<void> check_elf_machines(const std::vector<ZipInput>& files, Arch arch,
                                std::string_view artifact);

// build_failed when the unpacked total is over the limit; a warning (returned) for a zip too
// big to upload directly.
Result<std::vector<std::string>> check_sizes(uint64_t function_unpacked, uint64_t layer_unpacked,
                                             uint64_t function_zip_size);

}  // namespace lpack::builder
