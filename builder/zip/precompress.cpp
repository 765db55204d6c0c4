#include "builder/zip/precompress.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "builder/zip/zip_format.hpp"

namespace lpack::builder {

const PrecompressedEntry* PrecompressedSet::find(const cache::Hash128& hash, uint64_t size, uint32_t crc32) const {
  auto it = m_entries.find(hash);
  if (it == m_entries.end() || it->second.size != size || it->second.crc32 != crc32) return nullptr;
  return &it->second;
}

void PrecompressedSet::add(const cache::Hash128& hash, PrecompressedEntry entry) {
  m_entries.emplace(hash, std::move(entry));
}

size_t deflate_entry(libdeflate_compressor* compressor, const uint8_t* data, size_t n, uint8_t* out) {
  if (n < 2) return 0;
  return libdeflate_deflate_compress(compressor, data, n, out, n - 1);
}

namespace {

// The whole file, or nothing when it cannot be read.
bool read_all(const std::string& path, uint64_t size, std::vector<uint8_t>& data) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  data.resize(size);
  uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd.get(), data.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<uint64_t>(n);
  }
  return true;
}

struct LargeFile {
  std::string path;
  uint64_t size = 0;
};

// The regular files of at least `min_size` bytes under `dir`, symlinks not followed, in
// sorted order. Unlike walk_tree it shrugs off whatever vanishes or cannot be read: the tool
// is still running in this tree, and anything missed is simply compressed at packing time.
void list_large_files(const std::string& dir, uint64_t min_size, std::vector<LargeFile>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    struct stat st {};
    if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    std::string path = dir + "/" + name;
    if (S_ISDIR(st.st_mode)) {
      list_large_files(path, min_size, out);
    } else if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) >= min_size &&
               !zip::is_precompressed_name(name)) {
      out.push_back({std::move(path), static_cast<uint64_t>(st.st_size)});
    }
  }
  ::closedir(d);
}

}  // namespace

PrecompressedSet precompress_tree(const fs::path& root, int level, uint64_t min_size) {
  PrecompressedSet set(level);
  std::vector<LargeFile> files;
  list_large_files(root.string(), min_size, files);
  if (files.empty()) return set;
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
      libdeflate_alloc_compressor(level), &libdeflate_free_compressor);
  if (!compressor) return set;
  std::vector<uint8_t> data;
  for (const auto& f : files) {
    if (!read_all(f.path, f.size, data)) continue;
    XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
    cache::Hash128 hash{h.high64, h.low64};
    uint32_t crc32 = libdeflate_crc32(0, data.data(), data.size());
    if (set.find(hash, data.size(), crc32)) continue;  // a copy of a file already done
    PrecompressedEntry entry;
    entry.size = data.size();
    entry.crc32 = crc32;
    entry.deflated.resize(data.size() - 1);
    size_t deflated = deflate_entry(compressor.get(), data.data(), data.size(), entry.deflated.data());
    entry.deflated.resize(deflated);
    entry.deflated.shrink_to_fit();
    set.add(hash, std::move(entry));
  }
  return set;
}

}  // namespace lpack::builder
