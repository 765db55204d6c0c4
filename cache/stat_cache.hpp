// A persistent memo of file content hashes keyed by file identity, so a no-op build costs
// about as much as stat-ing the tree. It only memoises: a hash is reused when the file's
// (device, inode, size, mtime, ctime) are exactly those seen when it was hashed, and never
// for a file that could have changed within the file system's timestamp granularity of
// being hashed (the "racy" edit guard of git and ccache). Freshness is still decided by the
// content hash; the stat data only says "this is the file we already read".
//
// File grammar (binary, all integers little-endian):
//   file    := header entry{count} trailer
//   header  := "LPSC" version:u32 generation:u64 count:u64
//   entry   := device:u64 inode:u64 size:u64 mtime_ns:i64 ctime_ns:i64
//              hash_high:u64 hash_low:u64 generation:u64            (64 bytes)
//   trailer := checksum:u64     XXH3-64 of every byte before it
// version is 1. Entries are sorted by (device, inode), so the same content gives the same
// bytes. `generation` counts the saves that changed the file; an entry's generation is the
// last save in whose run it was looked up or recorded, which is what the size cap evicts by.
//
// Trust rules:
// - A file that is missing starts an empty cache. One that is unreadable, truncated, has a
//   bad magic, an unknown version or a bad checksum also starts empty, with a warning: the
//   memo is rebuilt by hashing, never trusted and never fatal.
// - record() with a file whose mtime or ctime is within k_racy_window_ns of `now_ns` (or
//   in the future) keeps the hash for this run's bookkeeping but marks it untrusted: lookup()
//   ignores it and save() drops it. Such a file may be rewritten later in the same timestamp
//   tick with the same size, and its stat data would not show it. The window is a fixed 2 s
//   rather than a measured granularity: it covers FAT's 2 s mtime and every 1 s file system,
//   and measuring per file system would cost a probe write into the user's tree. The price
//   is re-hashing files edited in the last two seconds once more.
//
// Size: save() keeps every entry used in this run and, up to max_entries in total, the
// most recently used older ones (by generation, ties by (device, inode)).
//
// Concurrency: lookup() and record() may be called from many threads at once (hash_files
// does). save() merges with the file on disk first (entries another process saved since we
// loaded are kept unless this run has its own for that file), then replaces it atomically
// (temp + fsync + rename). Two saves racing can still lose the other's new entries: that
// costs a re-hash, never a wrong hash, so no lock is taken.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/walk.hpp"
#include "cache/file_hasher.hpp"

namespace lpack::cache {

class StatCache {
 public:
  static constexpr int64_t k_racy_window_ns = 2'000'000'000;
  static constexpr size_t k_default_max_entries = 250'000;  // ~16 MB on disk

  // An in-memory cache that save() does not write anywhere (for --no-cache runs and tests).
  StatCache();
  // Reads `file`. Never fails on a missing or damaged file (see the trust rules above);
  // the Result is kept for callers' uniformity. The file is written back by save().
  static Result<StatCache> load(const fs::path& file, size_t max_entries = k_default_max_entries);

  StatCache(StatCache&&) noexcept;
  StatCache& operator=(StatCache&&) noexcept;
  ~StatCache();

  // The memoised hash of `entry` if a trusted record matches its device, inode, size,
  // mtime and ctime exactly; marks that record as used in this run.
  std::optional<Hash128> lookup(const TreeEntry& entry) const;
  // Remembers that `entry`, with the stat data it carries, hashed to `hash`; `now_ns` is the
  // wall-clock time (CLOCK_REALTIME, ns since the epoch) taken *before* the file was read.
  void record(const TreeEntry& entry, Hash128 hash, int64_t now_ns);
  // Writes the cache back when a trusted hash was recorded since load (a run that only
  // looked things up leaves the file alone). An io Error names the file; callers may
  // ignore it.
  Result<void> save();

  // Problems found while loading or saving, one line each, naming the file.
  const std::vector<std::string>& warnings() const { return m_warnings; }
  size_t size() const;  // entries held, trusted or not
  const fs::path& file() const { return m_file; }

 private:
  struct Key {
    uint64_t device = 0;
    uint64_t inode = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  struct Slot {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    Hash128 hash;
    bool trusted = false;
    // Written by lookup() under a shared lock, hence atomic.
    mutable std::atomic<uint64_t> generation{0};
  };
  using Map = std::unordered_map<Key, Slot, KeyHash>;

  // Parses the file's bytes into `map`; returns the header's generation, or a reason.
  static Result<uint64_t> parse(std::string_view bytes, Map& map);
  std::string serialize(uint64_t generation) const;

  fs::path m_file;
  size_t m_max_entries = k_default_max_entries;
  uint64_t m_generation = 1;  // the generation this run's saves write
  bool m_dirty = false;
  Map m_map;
  std::unique_ptr<std::shared_mutex> m_mutex;
  std::vector<std::string> m_warnings;
};

// CLOCK_REALTIME in nanoseconds since the epoch: the `now_ns` record() expects.
int64_t wall_clock_ns();

}  // namespace lpack::cache
