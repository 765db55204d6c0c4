#include "cache/stat_cache.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <system_error>

namespace lpack::cache {
namespace {

constexpr char k_magic[4] = {'L', 'P', 'S', 'C'};
constexpr uint32_t k_version = 1;
constexpr size_t k_header_size = 4 + 4 + 8 + 8;
constexpr size_t k_entry_size = 8 * 8;
constexpr size_t k_trailer_size = 8;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

int64_t wall_clock_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

size_t StatCache::KeyHash::operator()(const Key& k) const noexcept {
  return static_cast<size_t>(k.inode * 0x9E3779B97F4A7C15ULL ^ k.device);
}

StatCache::StatCache() : m_mutex(std::make_unique<std::shared_mutex>()) {}
StatCache::StatCache(StatCache&&) noexcept = default;
StatCache& StatCache::operator=(StatCache&&) noexcept = default;
StatCache::~StatCache() = default;

Result<uint64_t> StatCache::parse(std::string_view bytes, Map& map) {
  if (bytes.size() < k_header_size + k_trailer_size) return Error(ErrorCode::corrupt, "truncated");
  if (std::memcmp(bytes.data(), k_magic, 4) != 0) return Error(ErrorCode::corrupt, "bad magic");
  uint32_t version = get_u32(bytes.data() + 4);
  if (version != k_version) {
    return Error(ErrorCode::corrupt, "unknown version " + std::to_string(version));
  }
  size_t body = bytes.size() - k_trailer_size;
  if (XXH3_64bits(bytes.data(), body) != get_u64(bytes.data() + body)) {
    return Error(ErrorCode::corrupt, "bad checksum");
  }
  uint64_t generation = get_u64(bytes.data() + 8);
  uint64_t count = get_u64(bytes.data() + 16);
  if (count > (body - k_header_size) / k_entry_size ||
      k_header_size + count * k_entry_size != body) {
    return Error(ErrorCode::corrupt, "entry count does not match the file size");
  }
  map.reserve(static_cast<size_t>(count));
  const char* p = bytes.data() + k_header_size;
  for (uint64_t i = 0; i < count; ++i, p += k_entry_size) {
    Key key{get_u64(p), get_u64(p + 8)};
    auto [it, inserted] = map.try_emplace(key);
    Slot& slot = it->second;
    slot.size = get_u64(p + 16);
    slot.mtime_ns = static_cast<int64_t>(get_u64(p + 24));
    slot.ctime_ns = static_cast<int64_t>(get_u64(p + 32));
    slot.hash = Hash128{get_u64(p + 40), get_u64(p + 48)};
    slot.trusted = true;
    slot.generation.store(get_u64(p + 56), std::memory_order_relaxed);
  }
  return generation;
}

Result<StatCache> StatCache::load(const fs::path& file, size_t max_entries) {
  StatCache cache;
  cache.m_file = file;
  cache.m_max_entries = max_entries;
  if (file.empty()) return cache;
  auto bytes = read_file(file);
  if (!bytes) {
    std::error_code ec;
    if (fs::exists(file, ec) || ec) {
      cache.m_warnings.push_back("stat cache " + file.string() + " is unreadable (" +
                                 bytes.error().message() + "); starting empty");
    }
    return cache;
  }
  auto generation = parse(*bytes, cache.m_map);
  if (!generation) {
    cache.m_map.clear();
    cache.m_warnings.push_back("stat cache " + file.string() + " is corrupt (" +
                               generation.error().message() + "); starting empty");
    return cache;
  }
  cache.m_generation = *generation + 1;
  return cache;
}

std::optional<Hash128> StatCache::lookup(const TreeEntry& entry) const {
  std::shared_lock lock(*m_mutex);
  auto it =
      m_map.find(Key{static_cast<uint64_t>(entry.device), static_cast<uint64_t>(entry.inode)});
  if (it == m_map.end()) return std::nullopt;
  const Slot& slot = it->second;
  if (!slot.trusted || slot.size != entry.size || slot.mtime_ns != entry.mtime_ns ||
      slot.ctime_ns != entry.ctime_ns) {
    return std::nullopt;
  }
  slot.generation.store(m_generation, std::memory_order_relaxed);
  return slot.hash;
}

void StatCache::record(const TreeEntry& entry, Hash128 hash, int64_t now_ns) {
  // A timestamp at or after (now - window) could be shared by a later write of the same
  // size, which the stat data would not reveal; one in the future means a skewed clock.
  bool racy =
      entry.mtime_ns > now_ns - k_racy_window_ns || entry.ctime_ns > now_ns - k_racy_window_ns;
  std::unique_lock lock(*m_mutex);
  Slot& slot = m_map[Key{static_cast<uint64_t>(entry.device), static_cast<uint64_t>(entry.inode)}];
  slot.size = entry.size;
  slot.mtime_ns = entry.mtime_ns;
  slot.ctime_ns = entry.ctime_ns;
  slot.hash = hash;
  slot.trusted = !racy;
  slot.generation.store(m_generation, std::memory_order_relaxed);
  // An untrusted entry is never written, so it alone is no reason to rewrite the file.
  if (!racy) m_dirty = true;
}

size_t StatCache::size() const {
  std::shared_lock lock(*m_mutex);
  return m_map.size();
}

std::string StatCache::serialize(uint64_t generation) const {
  std::vector<std::pair<Key, const Slot*>> entries;
  entries.reserve(m_map.size());
  for (const auto& [key, slot] : m_map) {
    if (slot.trusted) entries.emplace_back(key, &slot);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first.device != b.first.device ? a.first.device < b.first.device
                                            : a.first.inode < b.first.inode;
  });
  std::string out;
  out.reserve(k_header_size + entries.size() * k_entry_size + k_trailer_size);
  out.append(k_magic, 4);
  put_u32(out, k_version);
  put_u64(out, generation);
  put_u64(out, entries.size());
  for (const auto& [key, slot] : entries) {
    put_u64(out, key.device);
    put_u64(out, key.inode);
    put_u64(out, slot->size);
    put_u64(out, static_cast<uint64_t>(slot->mtime_ns));
    put_u64(out, static_cast<uint64_t>(slot->ctime_ns));
    put_u64(out, slot->hash.high);
    put_u64(out, slot->hash.low);
    put_u64(out, slot->generation.load(std::memory_order_relaxed));
  }
  put_u64(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Result<void> StatCache::save() {
  std::unique_lock lock(*m_mutex);
  if (m_file.empty() || !m_dirty) return ok();

  // Merge what other processes saved since we loaded: their entries fill the gaps, and
  // replace ours where we did not use ours in this run (theirs are at least as recent).
  uint64_t written = m_generation;
  if (auto bytes = read_file(m_file)) {
    Map disk;
    if (auto disk_generation = parse(*bytes, disk)) {
      written = std::max(written, *disk_generation + 1);
      for (auto& [key, theirs] : disk) {
        auto it = m_map.find(key);
        bool ours_current = it != m_map.end() && it->second.trusted &&
                            it->second.generation.load(std::memory_order_relaxed) == m_generation;
        if (ours_current) continue;
        Slot& slot = m_map[key];
        slot.size = theirs.size;
        slot.mtime_ns = theirs.mtime_ns;
        slot.ctime_ns = theirs.ctime_ns;
        slot.hash = theirs.hash;
        slot.trusted = true;
        slot.generation.store(theirs.generation.load(std::memory_order_relaxed),
                              std::memory_order_relaxed);
      }
    }
  }

  // Untrusted entries are never written; this run's entries are relabelled with the
  // generation actually written, then older ones are kept up to the cap.
  std::vector<std::pair<uint64_t, Key>> older;
  size_t current = 0;
  for (auto it = m_map.begin(); it != m_map.end();) {
    Slot& slot = it->second;
    if (!slot.trusted) {
      it = m_map.erase(it);
      continue;
    }
    uint64_t g = slot.generation.load(std::memory_order_relaxed);
    if (g == m_generation) {
      slot.generation.store(written, std::memory_order_relaxed);
      ++current;
    } else {
      older.emplace_back(g, it->first);
    }
    ++it;
  }
  size_t room = m_max_entries > current ? m_max_entries - current : 0;
  if (older.size() > room) {
    std::sort(older.begin(), older.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first > b.first;
      return a.second.device != b.second.device ? a.second.device < b.second.device
                                                : a.second.inode < b.second.inode;
    });
    for (size_t i = room; i < older.size(); ++i) m_map.erase(older[i].second);
  }
  m_generation = written;

  std::error_code ec;
  if (m_file.has_parent_path()) fs::create_directories(m_file.parent_path(), ec);
  auto result = write_file_atomic(m_file, serialize(written));
  if (!result) {
    result.error().context("cannot save the stat cache");
    return result;
  }
  m_dirty = false;
  return ok();
}

}  // namespace lpack::cache
