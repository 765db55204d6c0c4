#include "cache/file_hasher.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>

#include "base/fs.hpp"
#include "cache/stat_cache.hpp"

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

constexpr size_t k_buffer_size = size_t{1} << 18;

// What each TBB worker reuses from file to file: the read buffer (allocated once and never
// zero-filled, since every byte used is first written by read()) and the XXH3 streaming
// state (allocated once; only files larger than the buffer need it).
struct Worker {
  std::unique_ptr<char[]> buffer = std::make_unique_for_overwrite<char[]>(k_buffer_size);
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state{XXH3_createState(),
                                                                 &XXH3_freeState};
  uint64_t bytes = 0;
};

struct FileHash {
  Hash128 hash;
  bool stat_unchanged = false;  // fstat after reading still matches the walk's TreeEntry
};

int64_t to_ns(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

bool same_stat(const struct stat& st, const TreeEntry& e) {
  return st.st_dev == e.device && st.st_ino == e.inode &&
         static_cast<uint64_t>(st.st_size) == e.size && to_ns(st.st_mtim) == e.mtime_ns &&
         to_ns(st.st_ctim) == e.ctime_ns;
}

Result<FileHash> hash_file(const TreeEntry& entry, Worker& worker) {
  UniqueFd fd(::open(entry.source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error(entry.source.string(), errno);
  char* buffer = worker.buffer.get();
  size_t filled = 0;
  bool streaming = false;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer + filled, k_buffer_size - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(entry.source.string(), errno);
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
    worker.bytes += static_cast<uint64_t>(n);
    if (filled == k_buffer_size) {
      if (!streaming) {
        XXH3_128bits_reset(worker.state.get());
        streaming = true;
      }
      XXH3_128bits_update(worker.state.get(), buffer, filled);
      filled = 0;
    }
  }
  XXH128_hash_t h;
  if (streaming) {
    if (filled > 0) XXH3_128bits_update(worker.state.get(), buffer, filled);
    h = XXH3_128bits_digest(worker.state.get());
  } else {
    // The whole file fit in the buffer: the one-shot function gives the same digest as
    // the streaming one, without touching the state.
    h = XXH3_128bits(buffer, filled);
  }
  struct stat st {};
  bool unchanged = ::fstat(fd.get(), &st) == 0 && same_stat(st, entry);
  return FileHash{Hash128{h.high64, h.low64}, unchanged};
}

}  // namespace

Result<std::vector<FileDigest>> hash_files(const std::vector<TreeEntry>& entries,
                                           StatCache* stat_cache, int threads, HashStats* stats,
                                           int64_t clock_ns) {
  std::vector<const TreeEntry*> files;
  for (const auto& e : entries) {
    if (!e.is_dir) files.push_back(&e);
  }
  std::vector<FileDigest> out(files.size());
  std::vector<std::optional<Error>> errors(files.size());
  // Taken before any file is read: the racy guard compares timestamps with it.
  const int64_t now_ns = clock_ns != 0 ? clock_ns : wall_clock_ns();
  tbb::enumerable_thread_specific<Worker> workers;
  std::atomic<uint64_t> hits{0};

  // A local arena rather than a global_control: the thread limit then applies to this call
  // only, not to other work of the process running at the same time.
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, files.size(), [&](size_t i) {
      const TreeEntry& e = *files[i];
      if (stat_cache) {
        if (auto cached = stat_cache->lookup(e)) {
          out[i] = FileDigest{e.path, e.executable, e.size, *cached};
          hits.fetch_add(1, std::memory_order_relaxed);
          return;
        }
      }
      auto h = hash_file(e, workers.local());
      if (!h) {
        errors[i] = std::move(h).error();
        return;
      }
      // A file that changed between the walk and the read has stat data that does not
      // describe the bytes hashed: use the hash for this run, but do not memoise it.
      if (stat_cache && h->stat_unchanged) stat_cache->record(e, h->hash, now_ns);
      out[i] = FileDigest{e.path, e.executable, e.size, h->hash};
    });
  });
  for (auto& e : errors) {
    if (e) return std::move(*e);
  }
  if (stats) {
    stats->files = files.size();
    stats->bytes_read = 0;
    for (const Worker& w : workers) stats->bytes_read += w.bytes;
    stats->stat_cache_hits = hits.load();
  }
  return out;
}

}  // namespace lpack::cache
