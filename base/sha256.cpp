#include "base/sha256.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace lpack {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->ctx, digest.data(), &len);
  return digest;
}

Sha256Digest sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<Sha256Digest> sha256_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error(path.string(), errno);
  Sha256 h;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return errno_error(path.string(), e);
    }
    if (n == 0) break;
    h.update(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return h.finish();
}

std::string to_hex(const Sha256Digest& digest) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) {
    out.push_back(k_digits[b >> 4]);
    out.push_back(k_digits[b & 15]);
  }
  return out;
}

std::string to_base64(const Sha256Digest& digest) {
  std::string out(4 * ((digest.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest.data(),
                          static_cast<int>(digest.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace lpack
