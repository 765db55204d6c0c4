#include "base/arch.hpp"

#include <string>

namespace lpack {

std::optional<Arch> parse_arch(std::string_view text) {
  if (text == "x86_64" || text == "amd64") return Arch::x86_64;
  if (text == "arm64" || text == "aarch64") return Arch::arm64;
  return std::nullopt;
}

std::string_view arch_name(Arch arch) {
  return arch == Arch::x86_64 ? "x86_64" : "arm64";
}
std::string_view arch_gnu_name(Arch arch) {
  return arch == Arch::x86_64 ? "x86_64" : "aarch64";
}
std::string_view arch_go_name(Arch arch) {
  return arch == Arch::x86_64 ? "amd64" : "arm64";
}
uint16_t arch_elf_machine(Arch arch) {
  return arch == Arch::x86_64 ? 62 : 183;
}

Arch host_arch() {
#if defined(__aarch64__)
  return Arch::arm64;
#else
  return Arch::x86_64;
#endif
}

std::optional<uint16_t> elf_machine(std::string_view b) {
  if (b.size() < 20 || b[0] != '\x7f' || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
    return std::nullopt;
  }
  auto lo = static_cast<uint8_t>(b[18]);
  auto hi = static_cast<uint8_t>(b[19]);
  bool big_endian = b[5] == 2;
  return big_endian ? static_cast<uint16_t>(lo << 8 | hi) : static_cast<uint16_t>(hi << 8 | lo);
}

std::string elf_machine_name(uint16_t machine) {
  switch (machine) {
    case 3:
      return "i386";
    case 40:
      return "ARM (32-bit)";
    case 62:
      return "x86-64";
    case 183:
      return "AArch64";
    case 243:
      return "RISC-V";
    default:
      return "machine " + std::to_string(machine);
  }
}

}  // namespace lpack
