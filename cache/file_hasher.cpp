#include "cache/file_hasher.hpp"

#include <fcntl.h>
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

void append_hex(std::string& out, const Hash128& hash) {
  static constexpr char k_digits[] = "0123456789abcdef";
  size_t at = out.size();
  out.resize(at + 32);
  for (int i = 0; i < 16; ++i) {
    out[at + 15 - i] = k_digits[(hash.high >> (4 * i)) & 15];
    out[at + 31 - i] = k_digits[(hash.low >> (4 * i)) & 15];
  }
}

std::string to_hex(const Hash128& hash) {
  std::string out;
  append_hex(out, hash);
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

// The folder of a run of files, opened (O_PATH) on the first file that must be read, so the
// files are opened relative to it: opening each by its absolute path would look up every
// component of that path again, which was the largest single cost of a cold hash.
class Folder {
 public:
  explicit Folder(std::string_view path) : m_path(path) {}

  // Opens `file`, which lies directly in this folder, for reading.
  int open(const std::string& file) {
    if (!m_opened) {
      m_opened = true;
      std::string dir(m_path.empty() ? "/" : m_path);
      m_fd = UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
    if (!m_fd) return ::open(file.c_str(), O_RDONLY | O_CLOEXEC);  // the error names the file
    return ::openat(m_fd.get(), file.c_str() + m_path.size() + 1, O_RDONLY | O_CLOEXEC);
  }

 private:
  std::string_view m_path;
  bool m_opened = false;
  UniqueFd m_fd;
};

// Where `source` (absolute) ends its folder part: the position of its last "/".
std::string_view folder_of(const std::string& source) {
  size_t slash = source.rfind('/');
  return std::string_view(source).substr(0, slash == std::string::npos ? 0 : slash);
}

struct FileHash {
  Hash128 hash;
  bool same_size = false;  // as many bytes as the walk saw
};

// The stat data recorded with a hash is the walk's, taken before the read (as git does): a
// file rewritten during or after the read no longer matches it and is hashed again next
// time, and within the racy window it was not trusted anyway. So no fstat after reading;
// and since each read asks for one byte more than the walk's size still expects, the short
// read that ends a file of that size needs no further read to find its end.
Result<FileHash> hash_file(const TreeEntry& entry, Folder& folder, Worker& worker) {
  UniqueFd fd(folder.open(entry.source));
  if (!fd) return errno_error(entry.source, errno);
  char* buffer = worker.buffer.get();
  size_t filled = 0;
  uint64_t total = 0;
  bool streaming = false;
  for (;;) {
    size_t space = k_buffer_size - filled;
    uint64_t expected_left = total <= entry.size ? entry.size - total : 0;
    size_t want = total <= entry.size && expected_left < space
                      ? static_cast<size_t>(expected_left) + 1
                      : space;
    ssize_t n = ::read(fd.get(), buffer + filled, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(entry.source, errno);
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
    total += static_cast<uint64_t>(n);
    worker.bytes += static_cast<uint64_t>(n);
    if (filled == k_buffer_size) {
      if (!streaming) {
        XXH3_128bits_reset(worker.state.get());
        streaming = true;
      }
      XXH3_128bits_update(worker.state.get(), buffer, filled);
      filled = 0;
    }
    if (total == entry.size && static_cast<size_t>(n) < want)
      break;  // short of the extra byte: the end
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
  return FileHash{Hash128{h.high64, h.low64}, total == entry.size};
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
  // Runs of consecutive files in one folder (the entries are sorted by path, so a folder's
  // files are mostly together): [runs[k], runs[k + 1]).
  std::vector<size_t> runs;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i == 0 || folder_of(files[i]->source) != folder_of(files[i - 1]->source)) runs.push_back(i);
  }
  runs.push_back(files.size());

  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, runs.size() - 1, [&](size_t k) {
      Folder folder(folder_of(files[runs[k]]->source));
      for (size_t i = runs[k]; i < runs[k + 1]; ++i) {
        const TreeEntry& e = *files[i];
        if (stat_cache) {
          if (auto cached = stat_cache->lookup(e)) {
            out[i] = FileDigest{e.path, e.executable, e.size, *cached};
            hits.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
        }
        auto h = hash_file(e, folder, workers.local());
        if (!h) {
          errors[i] = std::move(h).error();
          continue;
        }
        // A file whose size changed since the walk has stat data that does not describe the
        // bytes hashed: use the hash for this run, but do not memoise it.
        if (stat_cache && h->same_size) stat_cache->record(e, h->hash, now_ns);
        out[i] = FileDigest{e.path, e.executable, e.size, h->hash};
      }
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
