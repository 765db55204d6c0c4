// Target architectures of Lambda, and how each appears in an ELF header.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lpack {

enum class Arch { x86_64, arm64 };

// "x86_64" | "arm64" (also accepts "amd64" and "aarch64"); nullopt for anything else.
std::optional<Arch> parse_arch(std::string_view text);
std::string_view arch_name(Arch arch);      // "x86_64" | "arm64", as Lambda spells them
std::string_view arch_gnu_name(Arch arch);  // "x86_64" | "aarch64", as manylinux tags spell them
std::string_view arch_go_name(Arch arch);   // "amd64" | "arm64"
uint16_t arch_elf_machine(Arch arch);       // EM_X86_64 (62) | EM_AARCH64 (183)
Arch host_arch();

// The ELF e_machine of a file's first bytes, or nullopt when they are not an ELF header.
std::optional<uint16_t> elf_machine(std::string_view first_bytes);
// A readable name for an e_machine value ("x86-64", "AArch64", "machine 40"...).
std::string elf_machine_name(uint16_t machine);

}  // namespace lpack
