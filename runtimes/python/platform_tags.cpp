#include "runtimes/python/platform_tags.hpp"

namespace lpack::runtimes::python {

const std::vector<PythonRuntimeInfo>& python_runtimes() {
  // python3.9-3.11 run on Amazon Linux 2 (glibc 2.26), 3.12 and later on Amazon Linux 2023
  // (glibc 2.34).
  static const std::vector<PythonRuntimeInfo> k_runtimes = {
      {"python3.9", "3.9", "cp39", 26},    {"python3.10", "3.10", "cp310", 26},
      {"python3.11", "3.11", "cp311", 26}, {"python3.12", "3.12", "cp312", 34},
      {"python3.13", "3.13", "cp313", 34},
  };
  return k_runtimes;
}

std::optional<PythonRuntimeInfo> find_python_runtime(std::string_view runtime) {
  for (const auto& info : python_runtimes()) {
    if (info.runtime == runtime) return info;
  }
  return std::nullopt;
}

std::vector<std::string> platform_tags(const PythonRuntimeInfo& runtime, Arch arch) {
  const std::string gnu(arch_gnu_name(arch));
  const int oldest = arch == Arch::arm64 ? 17 : 5;
  std::vector<std::string> tags;
  for (int minor = runtime.glibc_minor; minor >= oldest; --minor) {
    tags.push_back("manylinux_2_" + std::to_string(minor) + "_" + gnu);
    if (minor == 17) tags.push_back("manylinux2014_" + gnu);
    if (minor == 12 && arch == Arch::x86_64) tags.push_back("manylinux2010_" + gnu);
    if (minor == 5 && arch == Arch::x86_64) tags.push_back("manylinux1_" + gnu);
  }
  return tags;
}

}  // namespace lpack::runtimes::python
