// The parallel half of the zip writer: a bounded TBB pipeline
//   dispatch (serial, in order) -> read + crc + deflate (parallel) -> write (serial, in order)
// Files are read in the parallel stage rather than the first one so that the open/read/close
// of thousands of small files overlaps across threads. The bytes depend only on the sorted
// entry list: each entry is compressed on its own, by a compressor of the same level, and
// written in index order, so the thread count decides only the speed.
#include "builder/zip/zip_writer.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <unordered_set>

#include "builder/zip/zip_format.hpp"

namespace lpack::builder {
namespace {

constexpr size_t k_output_buffer = 8 << 20;
constexpr int k_tokens_per_thread = 4;

// A byte buffer that grows without zero-filling: its bytes are always about to be
// overwritten by read() or the compressor.
class ByteBuffer {
 public:
  uint8_t* data() { return m_data.get(); }
  size_t capacity() const { return m_capacity; }
  // Makes room for `n` bytes, keeping the first `keep`. Grows by half again at least, so a
  // run of ever larger files reallocates (and page-faults fresh memory) only a few times.
  void reserve(size_t n, size_t keep = 0) {
    if (n <= m_capacity) return;
    const size_t capacity = std::max({n, m_capacity + m_capacity / 2, k_min_capacity});
    auto fresh = std::make_unique_for_overwrite<uint8_t[]>(capacity);
    if (keep != 0) std::memcpy(fresh.get(), m_data.get(), keep);
    m_data = std::move(fresh);
    m_capacity = capacity;
  }
  void swap(ByteBuffer& other) noexcept {
    std::swap(m_data, other.m_data);
    std::swap(m_capacity, other.m_capacity);
  }

 private:
  static constexpr size_t k_min_capacity = 64 << 10;
  std::unique_ptr<uint8_t[]> m_data;
  size_t m_capacity = 0;
};

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
using CompressorPtr = std::unique_ptr<libdeflate_compressor, CompressorDeleter>;

// Per worker thread: its compressor and the buffer files are read into.
struct Worker {
  CompressorPtr compressor;
  ByteBuffer input;
};

// One entry in flight. Slots are recycled, so their payload buffers are too.
struct Slot {
  size_t index = 0;
  ByteBuffer payload;  // the bytes after the local header: deflated or stored data
  uint64_t payload_size = 0;
  uint64_t size = 0;
  uint32_t crc32 = 0;
  uint16_t method = zip::k_method_stored;
  std::optional<Error> error;
};

// A bounded pool: at most `tokens` slots exist, since the pipeline never has more in flight.
class SlotPool {
 public:
  Slot* acquire() {
    std::lock_guard lock(m_mutex);
    if (m_free.empty()) {
      m_all.push_back(std::make_unique<Slot>());
      return m_all.back().get();
    }
    Slot* s = m_free.back();
    m_free.pop_back();
    return s;
  }
  void release(Slot* s) {
    s->error.reset();
    std::lock_guard lock(m_mutex);
    m_free.push_back(s);
  }

 private:
  std::mutex m_mutex;
  std::vector<std::unique_ptr<Slot>> m_all;
  std::vector<Slot*> m_free;
};

// Buffers the zip's bytes into large writes and hashes them on the way out.
class OutputStream {
 public:
  explicit OutputStream(int fd)
      : m_fd(fd), m_buffer(std::make_unique_for_overwrite<char[]>(k_output_buffer)) {}

  uint64_t offset() const { return m_offset; }

  Result<void> write(const void* data, size_t n) {
    if (n == 0) return ok();  // folders and empty files: no payload, maybe no buffer at all
    if (n > k_output_buffer - m_used) {
      LPACK_TRY(flush());
      if (n >= k_output_buffer / 2) {  // large payloads skip the copy
        const std::string_view view(static_cast<const char*>(data), n);
        hash(view);
        LPACK_TRY(write_all(m_fd, view, "zip output"));
        m_offset += n;
        return ok();
      }
    }
    std::memcpy(m_buffer.get() + m_used, data, n);
    m_used += n;
    m_offset += n;
    return ok();
  }
  Result<void> write(std::string_view s) { return write(s.data(), s.size()); }

  Result<void> flush() {
    if (m_used == 0) return ok();
    const std::string_view view(m_buffer.get(), m_used);
    hash(view);
    m_used = 0;
    return write_all(m_fd, view, "zip output");
  }

  Sha256Digest sha256() { return m_sha256.finish(); }
  cache::Hash128 xxh3() {
    XXH128_hash_t h = XXH3_128bits_digest(m_xxh3.get());
    return {h.high64, h.low64};
  }

 private:
  void hash(std::string_view bytes) {
    m_sha256.update(bytes);
    XXH3_128bits_update(m_xxh3.get(), bytes.data(), bytes.size());
  }

  int m_fd;
  std::unique_ptr<char[]> m_buffer;
  size_t m_used = 0;
  uint64_t m_offset = 0;
  Sha256 m_sha256;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> m_xxh3{new_xxh3_state(),
                                                                  &XXH3_freeState};

  static XXH3_state_t* new_xxh3_state() {
    XXH3_state_t* state = XXH3_createState();
    XXH3_128bits_reset(state);
    return state;
  }
};

// Reads the whole file into `buffer`; returns its size.
Result<uint64_t> read_whole(const fs::path& path, ByteBuffer& buffer) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error(path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(path.string(), errno);
  if (!S_ISREG(st.st_mode)) return io_error(path.string() + ": not a regular file");
  const uint64_t expected = static_cast<uint64_t>(st.st_size);
  // One byte more than fstat reports, so that a file that grew since is still read whole.
  buffer.reserve(expected + 1);
  uint64_t total = 0;
  for (;;) {
    if (total == buffer.capacity()) buffer.reserve(2 * total, total);
    const size_t want = buffer.capacity() - total;
    const ssize_t n = ::read(fd.get(), buffer.data() + total, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path.string(), errno);
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    // A short read ending at the size fstat reported is the end of a regular file; not
    // asking again for the 0-byte read saves a syscall per file.
    if (static_cast<size_t>(n) < want && total == expected) break;
  }
  return total;
}

// The entry precompress_tree made from exactly these bytes, if any.
const PrecompressedEntry* find_precompressed(const PrecompressedSet* set, int level,
                                             const uint8_t* data, uint64_t n, uint32_t crc32) {
  if (!set || set->empty() || set->level() != level || n < k_precompress_min_size) return nullptr;
  XXH128_hash_t h = XXH3_128bits(data, n);
  return set->find(cache::Hash128{h.high64, h.low64}, n, crc32);
}

// Fills `slot` with the entry's crc, sizes, method and payload.
void prepare_entry(Slot& slot, const ZipInput& input, Worker& worker, int level,
                   const PrecompressedSet* precompressed) {
  slot.payload_size = 0;
  slot.size = 0;
  slot.crc32 = 0;
  slot.method = zip::k_method_stored;
  if (input.is_dir) return;

  auto size = read_whole(input.source, worker.input);
  if (!size) {
    slot.error = std::move(size).error();
    return;
  }
  const uint64_t n = *size;
  slot.size = n;
  slot.crc32 = libdeflate_crc32(0, worker.input.data(), n);
  // Deflate must beat storing by at least a byte; an output buffer one byte short of the
  // input makes libdeflate give up (return 0) as soon as it cannot.
  if (n >= 2 && !zip::is_precompressed_name(input.name)) {
    if (const PrecompressedEntry* done =
            find_precompressed(precompressed, level, worker.input.data(), n, slot.crc32)) {
      if (!done->deflated.empty()) {
        slot.payload.reserve(done->deflated.size());
        std::memcpy(slot.payload.data(), done->deflated.data(), done->deflated.size());
        slot.method = zip::k_method_deflate;
        slot.payload_size = done->deflated.size();
        return;
      }
      slot.payload.swap(worker.input);  // deflate did not shrink it: stored, as below
      slot.payload_size = n;
      return;
    }
    if (!worker.compressor) {
      worker.compressor.reset(libdeflate_alloc_compressor(level));
      if (!worker.compressor) {
        slot.error = Error(ErrorCode::io, "zip: out of memory allocating a compressor");
        return;
      }
    }
    slot.payload.reserve(n - 1);
    const size_t deflated =
        deflate_entry(worker.compressor.get(), worker.input.data(), n, slot.payload.data());
    if (deflated != 0) {
      slot.method = zip::k_method_deflate;
      slot.payload_size = deflated;
      return;
    }
  }
  // Stored: hand the read buffer to the slot instead of copying it; the worker reads the
  // next file into the slot's old buffer.
  slot.payload.swap(worker.input);
  slot.payload_size = n;
}

bool has_dot_component(std::string_view name) {
  size_t start = 0;
  for (;;) {
    const size_t end = name.find('/', start);
    const std::string_view part =
        name.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty() || part == "." || part == "..") return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

// Checks names, turns folder names into "dir/" and sorts by the name in the zip.
Result<void> prepare_names(std::vector<ZipInput>& inputs) {
  std::unordered_set<std::string_view> dirs;
  for (auto& in : inputs) {
    if (in.name.empty() || in.name.front() == '/' || has_dot_component(in.name) ||
        in.name.find('\0') != std::string::npos || in.name.size() >= 0xFFFF) {
      return Error(ErrorCode::internal,
                   "zip: invalid entry name '" + in.name +
                       "' (empty, absolute, with an empty, '.' or '..' part, or too long)");
    }
    if (in.is_dir) dirs.insert(in.name);
  }
  for (const auto& in : inputs) {
    if (!in.is_dir && dirs.count(in.name) != 0) {
      return Error(ErrorCode::internal,
                   "zip: '" + in.name + "' is listed both as a file and as a folder");
    }
  }
  dirs.clear();  // its views point into names about to change
  for (auto& in : inputs) {
    if (in.is_dir) in.name.push_back('/');
  }
  std::sort(inputs.begin(), inputs.end(),
            [](const ZipInput& a, const ZipInput& b) { return a.name < b.name; });
  const auto dup =
      std::adjacent_find(inputs.begin(), inputs.end(),
                         [](const ZipInput& a, const ZipInput& b) { return a.name == b.name; });
  if (dup != inputs.end()) {
    return Error(ErrorCode::internal, "zip: duplicate entry name '" + dup->name + "'");
  }
  return ok();
}

uint32_t unix_mode(const ZipInput& input) {
  if (input.is_dir) return 040755;
  return input.executable ? 0100755 : 0100644;
}

}  // namespace

Result<ZipStats> write_zip(int fd, std::vector<ZipInput> inputs, const ZipOptions& options) {
  if (options.level < 0 || options.level > 12) {
    return Error(ErrorCode::internal, "zip: compression level " + std::to_string(options.level) +
                                          " is outside libdeflate's 0..12");
  }
  LPACK_TRY(prepare_names(inputs));
  const zip::DosDateTime when = zip::to_dos_date_time(options.timestamp);
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();

  OutputStream out(fd);
  std::vector<zip::EntryRecord> records(inputs.size());
  std::string header;
  std::optional<Error> failure;
  std::atomic<bool> failed{false};
  size_t next = 0;
  uint64_t unpacked = 0;
  SlotPool pool;
  tbb::enumerable_thread_specific<Worker> workers;

  auto dispatch = [&](tbb::flow_control& control) -> Slot* {
    if (next == inputs.size() || failed.load(std::memory_order_relaxed)) {
      control.stop();
      return nullptr;
    }
    Slot* slot = pool.acquire();
    slot->index = next++;
    return slot;
  };
  auto compress = [&](Slot* slot) -> Slot* {
    prepare_entry(*slot, inputs[slot->index], workers.local(), options.level,
                  options.precompressed);
    return slot;
  };
  auto emit = [&](Slot* slot) {
    if (!failure) {
      if (slot->error) {
        failure = std::move(*slot->error);
      } else {
        zip::EntryRecord& rec = records[slot->index];
        const ZipInput& input = inputs[slot->index];
        rec.name = input.name;
        rec.unix_mode = unix_mode(input);
        rec.method = slot->method;
        rec.crc32 = slot->crc32;
        rec.compressed_size = slot->payload_size;
        rec.size = slot->size;
        rec.offset = out.offset();
        unpacked += slot->size;
        header.clear();
        zip::append_local_header(header, rec, when);
        auto written = out.write(header);
        if (written) written = out.write(slot->payload.data(), slot->payload_size);
        if (!written) failure = std::move(written).error();
      }
      if (failure) failed.store(true, std::memory_order_relaxed);
    }
    pool.release(slot);
  };

  try {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_pipeline(
          static_cast<size_t>(threads) * k_tokens_per_thread,
          tbb::make_filter<void, Slot*>(tbb::filter_mode::serial_in_order, dispatch) &
              tbb::make_filter<Slot*, Slot*>(tbb::filter_mode::parallel, compress) &
              tbb::make_filter<Slot*, void>(tbb::filter_mode::serial_in_order, emit));
    });
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::io, "zip: out of memory");
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("zip: ") + e.what());
  }
  if (failure) return std::move(*failure);

  // The central directory, streamed through the same buffer.
  const uint64_t cd_offset = out.offset();
  for (const auto& rec : records) {
    header.clear();
    zip::append_central_header(header, rec, when);
    LPACK_TRY(out.write(header));
  }
  const uint64_t cd_size = out.offset() - cd_offset;
  header.clear();
  zip::append_end_records(header, records.size(), cd_offset, cd_size);
  LPACK_TRY(out.write(header));
  LPACK_TRY(out.flush());

  ZipStats stats;
  stats.size = out.offset();
  stats.unpacked_size = unpacked;
  stats.entries = records.size();
  stats.sha256 = out.sha256();
  stats.xxh3 = out.xxh3();
  return stats;
}

std::string compressor_identity(int level) {
  return std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING + " level " + std::to_string(level);
}

}  // namespace lpack::builder
