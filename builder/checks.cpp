#include "builder/checks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "base/fs.hpp"

namespace lpack::builder {
namespace {

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

Result<void> check_elf_machines(const std::vector<ZipInput>& files, Arch arch,
                                std::string_view artifact) {
  std::vector<std::string> wrong;
  const uint16_t wanted = arch_elf_machine(arch);
  for (const auto& file : files) {
    if (file.is_dir) continue;
    UniqueFd fd(::open(file.source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error(file.source.string(), errno);
    char header[20];
    ssize_t n = ::pread(fd.get(), header, sizeof header, 0);
    if (n < static_cast<ssize_t>(sizeof header)) continue;
    auto machine = elf_machine(std::string_view(header, sizeof header));
    if (machine && *machine != wanted)
      wrong.push_back(file.name + " (" + elf_machine_name(*machine) + ")");
  }
  if (wrong.empty()) return ok();
  std::string message = std::string(artifact) + ": " + std::to_string(wrong.size()) +
                        " native file(s) built for another architecture than " +
                        std::string(arch_name(arch)) + ":";
  size_t shown = 0;
  for (const auto& w : wrong) {
    if (++shown > 20) {
      message += "\n  ... and " + std::to_string(wrong.size() - 20) + " more";
      break;
    }
    message += "\n  " + w;
  }
  return build_failed(message);
}

Result<std::vector<std::string>> check_sizes(uint64_t function_unpacked, uint64_t layer_unpacked,
                                             uint64_t function_zip_size) {
  std::vector<std::string> warnings;
  uint64_t total = function_unpacked + layer_unpacked;
  if (total > k_max_unzipped_bytes) {
    return build_failed("function + layer unzipped is " + megabytes(total) + " (function " +
                        megabytes(function_unpacked) + ", layer " + megabytes(layer_unpacked) +
                        "), over Lambda's limit of 262.1 MB; exclude files or split the layer");
  }
  if (function_zip_size > k_max_direct_upload_bytes) {
    warnings.push_back("function.zip is " + megabytes(function_zip_size) +
                       ", over the 52.4 MB direct-upload limit: it must be uploaded through S3");
  }
  return warnings;
}

}  // namespace lpack::builder
