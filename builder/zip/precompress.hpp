// Large files compressed ahead of packing, while a step's later commands still run. A step
// such as Node's (`npm ci --ignore-scripts`, then `npm rebuild` for the install scripts)
// leaves most of its output on disk well before it ends, and the largest entries (an 11 MB
// esbuild binary) cost more to deflate than all the rest: one entry is one libdeflate call
// on one thread, so packing them only after the tool exits adds their whole time to the build.
//
// Nothing here is trusted by name or by stat data. Each result is keyed by the XXH3-128 of
// the exact bytes compressed, and the zip writer reuses one only for a file whose bytes it
// has just read and hashed to the same value (and whose size and CRC-32 agree): a file the
// later commands rewrote, or one read while it was being written, is compressed again at
// packing time. The bytes are what the writer itself would produce (same call, same level),
// so the zip does not depend on whether this ran.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cache/file_hasher.hpp"

struct libdeflate_compressor;

namespace lpack::builder {

// Files smaller than this are left to the writer: compressing them is cheap next to the
// pipeline's per-entry work, and there may be tens of thousands of them.
inline constexpr uint64_t k_precompress_min_size = uint64_t{1} << 20;

struct PrecompressedEntry {
  uint64_t size = 0;              // of the original bytes
  uint32_t crc32 = 0;             // of the original bytes
  std::vector<uint8_t> deflated;  // empty: deflate did not shrink it, so the entry is stored
};

class PrecompressedSet {
 public:
  explicit PrecompressedSet(int level = -1) : m_level(level) {}
  int level() const { return m_level; }  // the libdeflate level of every entry
  // The entry compressed from bytes with this hash, size and CRC-32, or null.
  const PrecompressedEntry* find(const cache::Hash128& hash, uint64_t size, uint32_t crc32) const;
  void add(const cache::Hash128& hash, PrecompressedEntry entry);
  bool empty() const { return m_entries.empty(); }
  size_t size() const { return m_entries.size(); }

 private:
  struct HashOf {
    size_t operator()(const cache::Hash128& h) const noexcept { return static_cast<size_t>(h.low); }
  };
  int m_level;
  std::unordered_map<cache::Hash128, PrecompressedEntry, HashOf> m_entries;
};

// Deflates the `n` bytes at `data` into `out`, which has room for n - 1 bytes: deflate must
// beat storing by at least a byte. Returns the deflated size, or 0 when it does not (or
// n < 2), and the entry is to be stored. The one call the writer and precompress_tree share.
size_t deflate_entry(libdeflate_compressor* compressor, const uint8_t* data, size_t n,
                     uint8_t* out);

// Compresses every file of at least `min_size` bytes under `root` (a best-effort walk_tree),
// except names the writer stores anyway, at `level`, on the calling thread. Files that
// vanish or cannot be read are skipped: the writer meets them again and reports them.
PrecompressedSet precompress_tree(const fs::path& root, int level,
                                  uint64_t min_size = k_precompress_min_size);

}  // namespace lpack::builder
