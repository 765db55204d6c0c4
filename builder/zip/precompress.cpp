#include "builder/zip/precompress.hpp"

#include <libdeflate.h>

#include "base/walk.hpp"
#include "builder/zip/zip_format.hpp"

namespace lpack::builder {

const PrecompressedEntry* PrecompressedSet::find(const cache::Hash128& hash, uint64_t size,
                                                 uint32_t crc32) const {
  auto it = m_entries.find(hash);
  if (it == m_entries.end() || it->second.size != size || it->second.crc32 != crc32) return nullptr;
  return &it->second;
}

void PrecompressedSet::add(const cache::Hash128& hash, PrecompressedEntry entry) {
  m_entries.emplace(hash, std::move(entry));
}

size_t deflate_entry(libdeflate_compressor* compressor, const uint8_t* data, size_t n,
                     uint8_t* out) {
  if (n < 2) return 0;
  return libdeflate_deflate_compress(compressor, data, n, out, n - 1);
}

PrecompressedSet precompress_tree(const fs::path& root, int level, uint64_t min_size) {
  PrecompressedSet set(level);
  WalkOptions options;
  options.best_effort = true;  // the tool is still writing there
  auto files = walk_tree(root, options);
  if (!files) return set;  // no such folder (yet)
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
      libdeflate_alloc_compressor(level), &libdeflate_free_compressor);
  if (!compressor) return set;
  for (const auto& f : *files) {
    if (f.size < min_size || zip::is_precompressed_name(f.path)) continue;
    auto text = read_file(f.source);
    if (!text) continue;
    const auto* data = reinterpret_cast<const uint8_t*>(text->data());
    const size_t n = text->size();
    const cache::Hash128 hash = cache::hash_bytes(*text);
    const uint32_t crc32 = libdeflate_crc32(0, data, n);
    if (set.find(hash, n, crc32)) continue;  // a copy of a file already done
    PrecompressedEntry entry;
    entry.size = n;
    entry.crc32 = crc32;
    entry.deflated.resize(n - 1);
    entry.deflated.resize(deflate_entry(compressor.get(), data, n, entry.deflated.data()));
    entry.deflated.shrink_to_fit();
    set.add(hash, std::move(entry));
  }
  return set;
}

}  // namespace lpack::builder
