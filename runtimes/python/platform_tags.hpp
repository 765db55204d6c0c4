// The Python runtimes Lambda offers and the wheel platform tags each one can load, for
// pip's cross-platform selection (`--platform` once per tag). pip does not fall back from
// one given tag to older ones, so the list must hold every compatible tag.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/arch.hpp"

namespace lpack::runtimes::python {

struct PythonRuntimeInfo {
  std::string_view runtime;  // Lambda's id: "python3.12"
  std::string_view version;  // "3.12"
  std::string_view abi;      // "cp312"
  int glibc_minor = 0;       // the OS image's glibc: 26 (Amazon Linux 2) or 34 (AL2023)
};

// Every Python runtime, oldest first.
const std::vector<PythonRuntimeInfo>& python_runtimes();
// nullopt when `runtime` is not a Python runtime of Lambda.
std::optional<PythonRuntimeInfo> find_python_runtime(std::string_view runtime);

// The manylinux tags for the runtime's glibc and `arch`, newest first, each legacy alias
// (manylinux2014 = 2_17, manylinux2010 = 2_12, manylinux1 = 2_5) right after the tag it
// stands for, as pip orders them: manylinux_2_N down to 2_17 on aarch64 (the first glibc
// with aarch64 wheels), down to 2_5 on x86_64.
std::vector<std::string> platform_tags(const PythonRuntimeInfo& runtime, Arch arch);

}  // namespace lpack::runtimes::python
