// Content hashes of input files: XXH3-128 over the bytes, in parallel (TBB), memoised by a
// stat cache so unchanged files are not read again. Each worker reuses one read buffer and
// one XXH3 state for all the files it hashes; a file that fits the buffer is hashed with
// a single read and the one-shot XXH3 call.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/sha256.hpp"
#include "base/walk.hpp"

namespace lpack::cache {

struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;
  bool operator==(const Hash128&) const = default;
};
std::string to_hex(const Hash128& hash);                 // 32 lowercase hex digits, high half first
void append_hex(std::string& out, const Hash128& hash);  // the same, appended to `out`
using lpack::to_hex;  // and SHA-256 digests, unhidden inside lpack::cache

struct FileDigest {
  std::string path;  // as in the TreeEntry
  bool executable = false;
  uint64_t size = 0;
  Hash128 hash;
};

class StatCache;  // stat_cache.hpp

struct HashStats {
  uint64_t files = 0;
  uint64_t bytes_read = 0;  // bytes actually hashed (stat-cache misses)
  uint64_t stat_cache_hits = 0;
};

// Hashes the files among `entries` (folders are skipped), in the entries' order. With a
// stat cache, files whose (device, inode, size, mtime, ctime) match a trusted record are
// not read; new hashes are recorded in it (with the time taken before the first read, for
// its racy guard), but only when the file's stat data after reading still equals the
// TreeEntry's. The caller saves the stat cache. threads 0: all cores; the result never
// depends on it. On error (a file that cannot be read) returns the io Error of the first
// such file in the entries' order. now_ns: the clock for the racy guard (ns since the
// epoch); 0 reads the wall clock, tests pass their own.
Result<std::vector<FileDigest>> hash_files(const std::vector<TreeEntry>& entries,
                                           StatCache* stat_cache, int threads,
                                           HashStats* stats = nullptr, int64_t now_ns = 0);

Hash128 hash_bytes(std::string_view data);

}  // namespace lpack::cache
