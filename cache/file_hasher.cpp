#include "cache/file_hasher.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "base/fs.hpp"

namespace lpack::cache {

std::string to_hex(const Hash128& hash) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = k_digits[(hash.high >> (4 * i)) & 15];
    out[31 - i] = k_digits[(hash.low >> (4 * i)) & 15];
  }
  return out;
}

Hash128 hash_bytes(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return {h.high64, h.low64};
}

namespace {

Result<Hash128> hash_file(const fs::path& path, std::vector<char>& buffer, uint64_t& bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error(path.string(), errno);
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      XXH3_freeState(state);
      return errno_error(path.string(), errno);
    }
    if (n == 0) break;
    XXH3_128bits_update(state, buffer.data(), static_cast<size_t>(n));
    bytes += static_cast<uint64_t>(n);
  }
  XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  return Hash128{h.high64, h.low64};
}

}  // namespace

Result<std::vector<FileDigest>> hash_files(const std::vector<TreeEntry>& entries,
                                           StatCache* /*stat_cache*/, int threads,
                                           HashStats* stats) {
  std::vector<const TreeEntry*> files;
  for (const auto& e : entries) {
    if (!e.is_dir) files.push_back(&e);
  }
  std::vector<FileDigest> out(files.size());
  std::vector<std::optional<Error>> errors(files.size());
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, threads);
  // One reusable read buffer per worker; never zero-filled again after creation.
  tbb::enumerable_thread_specific<std::vector<char>> buffers([] { return std::vector<char>(1 << 18); });
  tbb::enumerable_thread_specific<uint64_t> bytes_read(0);
  tbb::parallel_for(size_t{0}, files.size(), [&](size_t i) {
    const TreeEntry& e = *files[i];
    auto h = hash_file(e.source, buffers.local(), bytes_read.local());
    if (!h) {
      errors[i] = std::move(h).error();
      return;
    }
    out[i] = FileDigest{e.path, e.executable, e.size, *h};
  });
  for (auto& e : errors) {
    if (e) return std::move(*e);
  }
  if (stats) {
    stats->files = files.size();
    stats->bytes_read = bytes_read.combine([](uint64_t a, uint64_t b) { return a + b; });
  }
  return out;
}

}  // namespace lpack::cache
