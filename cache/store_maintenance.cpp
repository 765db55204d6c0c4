// LocalStore maintenance: stats, verify, gc and clear (the `lpack cache` commands).
#include <fcntl.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>

#include "base/sha256.hpp"
#include "cache/file_hasher.hpp"
#include "cache/store.hpp"
#include "cache/store_format.hpp"
#include "cache/store_io.hpp"

namespace lpack::cache {
namespace {

// One file found under ac/ or cas/.
struct Found {
  std::string relative;  // "ac/ab/abcd…", for reports
  fs::path path;
  std::string name;
  bool expected = false;  // a regular file named by 64 hex digits, in the folder of its prefix
  bool regular = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

bool is_hex_prefix(std::string_view name) {
  return format::is_lower_hex(name, 2);
}

Result<std::vector<Found>> scan(const fs::path& root, std::string_view area) {
  std::vector<Found> found;
  auto folders = LPACK_TRY(io::list_names(root / area));
  for (const auto& folder : folders) {
    fs::path dir = root / area / folder;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) continue;  // removed meanwhile
    if (!S_ISDIR(st.st_mode)) {
      found.push_back({std::string(area) + "/" + folder, dir, folder, false, S_ISREG(st.st_mode),
                       static_cast<uint64_t>(st.st_size), 0});
      continue;
    }
    auto names = LPACK_TRY(io::list_names(dir));
    for (const auto& name : names) {
      Found f;
      f.relative = std::string(area) + "/" + folder + "/" + name;
      f.path = dir / name;
      f.name = name;
      if (::lstat(f.path.c_str(), &st) != 0) continue;
      f.regular = S_ISREG(st.st_mode);
      f.size = static_cast<uint64_t>(st.st_size);
      f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      f.expected = f.regular && is_hex_prefix(folder) && format::is_lower_hex(name, 64) &&
                   name.compare(0, 2, folder) == 0;
      found.push_back(std::move(f));
    }
  }
  return found;
}

// A record's content checked on its own: nullopt when sound, else the reason.
// `other_version` is set for a well-formed record of another lpack version.
std::optional<std::string> check_record(const Found& f, std::optional<format::ParsedRecord>& out,
                                        bool& other_version) {
  other_version = false;
  auto text = read_file(f.path);
  if (!text) return "unreadable: " + text.error().message();
  auto parsed = format::decode_record(*text);
  if (!parsed) return parsed.error().message();
  if (!*parsed) {
    other_version = true;
    return std::nullopt;
  }
  if ((*parsed)->key != f.name) return std::string("holds the record of another key");
  out = std::move(*parsed);
  return std::nullopt;
}

bool remove_file(const fs::path& path) {
  return ::unlink(path.c_str()) == 0 || errno == ENOENT;
}

}  // namespace

Result<LocalStore::Stats> LocalStore::stats() {
  auto held = LPACK_TRY(lock(false));
  Stats stats;
  for (const auto& f : LPACK_TRY(scan(m_root, "ac"))) {
    if (f.expected) ++stats.records;
    if (f.regular) stats.bytes += f.size;
  }
  for (const auto& f : LPACK_TRY(scan(m_root, "cas"))) {
    if (f.expected) ++stats.blobs;
    if (f.regular) stats.bytes += f.size;
  }
  fs::path counters_path = m_root / "stats";
  auto counters_lock = LPACK_TRY(io::FileLock::acquire(counters_path, false));
  auto text = LPACK_TRY(io::read_fd(counters_lock.fd(), counters_path.string()));
  if (!text.empty()) {
    auto counters = format::decode_counters(text);
    if (counters) {
      stats.hits = counters->hits;
      stats.misses = counters->misses;
    } else {
      warn("cache counters in " + counters_path.string() + " are corrupt (" +
           counters.error().message() + ")");
    }
  }
  return stats;
}

namespace {

struct BlobHashes {
  std::string sha256;
  std::string xxh3;
};

// Both of a blob's hashes from one read: its name (SHA-256) and the blob_xxh3 its records carry.
Result<BlobHashes> hash_blob(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error(path.string(), errno);
  Sha256 sha;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> xxh(XXH3_createState(), &XXH3_freeState);
  XXH3_128bits_reset(xxh.get());
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path.string(), errno);
    }
    if (n == 0) break;
    sha.update(std::string_view(buffer.data(), static_cast<size_t>(n)));
    XXH3_128bits_update(xxh.get(), buffer.data(), static_cast<size_t>(n));
  }
  XXH128_hash_t h = XXH3_128bits_digest(xxh.get());
  return BlobHashes{to_hex(sha.finish()), to_hex(Hash128{h.high64, h.low64})};
}

}  // namespace

Result<LocalStore::VerifyReport> LocalStore::verify() {
  auto held = LPACK_TRY(lock(false));
  VerifyReport report;
  std::vector<std::pair<std::string, OutputRecord>>
      records;  // (relative path, record) to match with blobs
  for (const auto& f : LPACK_TRY(scan(m_root, "ac"))) {
    ++report.checked;
    if (!f.expected) {
      report.corrupt.push_back(f.relative + ": unexpected file");
      continue;
    }
    std::optional<format::ParsedRecord> parsed;
    bool other_version = false;
    if (auto reason = check_record(f, parsed, other_version)) {
      report.corrupt.push_back(f.relative + ": " + *reason);
      continue;
    }
    if (other_version) continue;
    const OutputRecord& r = parsed->record;
    struct stat st {};
    if (::stat(blob_path(r.blob_sha256).c_str(), &st) != 0) {
      report.corrupt.push_back(f.relative + ": its blob " + r.blob_sha256 + " is missing");
    } else if (static_cast<uint64_t>(st.st_size) != r.size) {
      report.corrupt.push_back(f.relative + ": its blob has " + std::to_string(st.st_size) +
                               " bytes, the record says " + std::to_string(r.size));
    } else {
      records.emplace_back(f.relative, r);
    }
  }

  // Re-hashing is the slow part (every byte of the cache): blobs are hashed in parallel and
  // their verdicts collected by index, so the report does not depend on scheduling.
  auto blobs = LPACK_TRY(scan(m_root, "cas"));
  std::vector<std::optional<std::string>> verdicts(blobs.size());
  std::vector<std::optional<BlobHashes>> hashes(blobs.size());
  tbb::parallel_for(size_t{0}, blobs.size(), [&](size_t i) {
    const Found& f = blobs[i];
    if (!f.expected) {
      verdicts[i] = "unexpected file";
      return;
    }
    auto hashed = hash_blob(f.path);
    if (!hashed) {
      verdicts[i] = "unreadable: " + hashed.error().message();
    } else if (hashed->sha256 != f.name) {
      verdicts[i] = "content hashes to " + hashed->sha256;
    } else {
      hashes[i] = std::move(*hashed);
    }
  });
  std::map<std::string, std::string> xxh3_of;  // sound blob name -> its XXH3-128
  for (size_t i = 0; i < blobs.size(); ++i) {
    ++report.checked;
    if (verdicts[i]) report.corrupt.push_back(blobs[i].relative + ": " + *verdicts[i]);
    if (hashes[i]) xxh3_of[hashes[i]->sha256] = hashes[i]->xxh3;
  }
  for (const auto& [relative, r] : records) {
    auto it = xxh3_of.find(r.blob_sha256);
    if (it != xxh3_of.end() && it->second != r.blob_xxh3) {
      report.corrupt.push_back(relative + ": blob_xxh3 " + r.blob_xxh3 +
                               " does not match its blob (" + it->second + ")");
    }
  }
  std::sort(report.corrupt.begin(), report.corrupt.end());
  return report;
}

Result<LocalStore::GcReport> LocalStore::gc(uint64_t max_bytes) {
  auto held = LPACK_TRY(lock(true));
  GcReport report;

  // Holding the exclusive lock, no store is running: whatever is in tmp/ was left by a
  // killed process.
  for (const auto& name : LPACK_TRY(io::list_names(m_root / "tmp")))
    remove_tree(m_root / "tmp" / name);

  auto records = LPACK_TRY(scan(m_root, "ac"));
  auto blob_files = LPACK_TRY(scan(m_root, "cas"));
  for (const auto& f : records) report.bytes_before += f.regular ? f.size : 0;
  for (const auto& f : blob_files) report.bytes_before += f.regular ? f.size : 0;
  uint64_t total = report.bytes_before;

  struct Blob {
    const Found* file;
    uint64_t refs = 0;
  };
  std::map<std::string, Blob> blobs;
  for (const auto& f : blob_files) {
    if (f.expected) {
      blobs.emplace(f.name, Blob{&f, 0});
    } else if (f.regular && remove_file(f.path)) {
      ++report.removed_blobs;
      total -= f.size;
    }
  }

  struct Candidate {
    int64_t mtime_ns;
    const Found* file;
    std::string blob;  // empty for another version's record
  };
  std::vector<Candidate> candidates;
  for (const auto& f : records) {
    std::optional<format::ParsedRecord> parsed;
    bool other_version = false;
    bool keep = f.expected && !check_record(f, parsed, other_version);
    if (keep && !other_version) {
      auto it = blobs.find(parsed->record.blob_sha256);
      keep = it != blobs.end() && it->second.file->size == parsed->record.size;
      if (keep) ++it->second.refs;
    }
    if (keep) {
      candidates.push_back({f.mtime_ns, &f, other_version ? "" : parsed->record.blob_sha256});
    } else if (f.regular && remove_file(f.path)) {
      ++report.removed_records;
      total -= f.size;
    }
  }

  auto drop_blob = [&](Blob& blob) {
    if (remove_file(blob.file->path)) {
      ++report.removed_blobs;
      total -= blob.file->size;
    }
  };
  for (auto& [name, blob] : blobs) {
    if (blob.refs == 0) drop_blob(blob);
  }

  // Least recently used first; the key breaks ties so the order never depends on listing.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.file->name < b.file->name;
  });
  for (const auto& c : candidates) {
    if (total <= max_bytes) break;
    if (!remove_file(c.file->path)) continue;
    ++report.removed_records;
    total -= c.file->size;
    if (c.blob.empty()) continue;
    Blob& blob = blobs.at(c.blob);
    if (--blob.refs == 0) drop_blob(blob);
  }
  report.bytes_after = total;
  return report;
}

Result<void> LocalStore::clear() {
  auto held = LPACK_TRY(lock(true));
  for (const char* area : {"ac", "cas", "tmp", "last"}) {
    for (const auto& name : LPACK_TRY(io::list_names(m_root / area)))
      remove_tree(m_root / area / name);
    auto left = LPACK_TRY(io::list_names(m_root / area));
    if (!left.empty()) {
      return io_error((m_root / area / left.front()).string() +
                      ": cannot remove it from the cache");
    }
  }
  if (::unlink(stat_cache_path().c_str()) != 0 && errno != ENOENT) {
    return errno_error(stat_cache_path().string(), errno);
  }
  return ok();
}

}  // namespace lpack::cache
