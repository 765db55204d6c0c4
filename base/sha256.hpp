// SHA-256 through OpenSSL, with the two spellings lpack reports: lowercase hex (manifest,
// cache keys, CAS names) and base64 (Lambda's CodeSha256).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace lpack {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  Sha256Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

Sha256Digest sha256(std::string_view data);
// Streams the file; an io Error names the path.
Result<Sha256Digest> sha256_file(const std::filesystem::path& path);
std::string to_hex(const Sha256Digest& digest);
std::string to_base64(const Sha256Digest& digest);

}  // namespace lpack
