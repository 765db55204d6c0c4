// LocalStore: opening, lookups, fetches, stores, last-build slots and counters. The
// maintenance commands (stats, verify, gc, clear) are in store_maintenance.cpp.
#include "cache/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "base/sha256.hpp"
#include "cache/store_format.hpp"
#include "cache/store_io.hpp"

namespace lpack::cache {
namespace {

// The cache folder tag of https://bford.info/cachedir/ so backup tools skip the folder.
constexpr std::string_view k_cachedir_tag =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by lpack.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n";

bool valid_slot(std::string_view slot) {
  if (slot.empty() || slot.size() > 128) return false;
  for (char c : slot) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Error internal(std::string message) {
  return {ErrorCode::internal, std::move(message)};
}

}  // namespace

Result<std::unique_ptr<LocalStore>> LocalStore::open(const fs::path& root) {
  if (root.empty()) {
    return bad_input("no cache folder: neither XDG_CACHE_HOME nor HOME is set; pass --cache-dir");
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec).lexically_normal();
  if (ec) return errno_error(root.string(), ec.value());
  fs::create_directories(absolute, ec);
  if (ec) {
    return Error(ErrorCode::io, absolute.string() + ": cannot create the cache folder (" +
                                    ec.message() + "); pass --cache-dir with a writable folder");
  }
  for (const char* sub : {"ac", "cas", "tmp", "last"}) {
    LPACK_TRY(io::make_dir(absolute / sub));
  }
  fs::path tag = absolute / "CACHEDIR.TAG";
  if (!fs::exists(tag, ec)) {
    (void)write_file_atomic(tag, k_cachedir_tag);  // only a courtesy to backup tools
  }
  return std::unique_ptr<LocalStore>(new LocalStore(std::move(absolute)));
}

fs::path LocalStore::record_path(std::string_view key) const {
  return m_root / "ac" / std::string(key.substr(0, 2)) / std::string(key);
}

fs::path LocalStore::blob_path(std::string_view sha256_hex) const {
  return m_root / "cas" / std::string(sha256_hex.substr(0, 2)) / std::string(sha256_hex);
}

Result<io::FileLock> LocalStore::lock(bool exclusive) const {
  return io::FileLock::acquire(m_root / "lock", exclusive);
}

void LocalStore::warn(std::string message) {
  std::lock_guard guard(m_warnings_mutex);
  m_warnings.push_back(std::move(message));
}

std::vector<std::string> LocalStore::take_warnings() {
  std::lock_guard guard(m_warnings_mutex);
  return std::exchange(m_warnings, {});
}

std::optional<OutputRecord> LocalStore::lookup(std::string_view key) {
  if (!format::is_lower_hex(key, 64)) {
    warn("cache lookup with a malformed key '" + std::string(key) + "'");
    return std::nullopt;
  }
  auto held = lock(false);
  if (!held) {
    warn(held.error().message());
    return std::nullopt;
  }
  fs::path path = record_path(key);
  std::string relative = "ac/" + std::string(key.substr(0, 2)) + "/" + std::string(key);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno != ENOENT) warn("cannot read cache record " + relative + ": " + std::strerror(errno));
    return std::nullopt;
  }
  struct stat seen {};
  auto text = ::fstat(fd.get(), &seen) == 0
                  ? io::read_fd(fd.get(), path.string())
                  : Result<std::string>(errno_error(path.string(), errno));
  if (!text) {
    warn("cannot read cache record " + relative + ": " + text.error().message());
    return std::nullopt;
  }
  auto parsed = format::decode_record(*text);
  if (parsed && *parsed && (*parsed)->key != key) {
    parsed = Error(ErrorCode::corrupt, "holds the record of another key");
  }
  if (!parsed) {
    io::remove_if_same(path, seen);
    warn("removed corrupt cache record " + relative + " (" + parsed.error().message() + ")");
    return std::nullopt;
  }
  if (!*parsed) return std::nullopt;  // another lpack version's record
  OutputRecord record = std::move((*parsed)->record);

  fs::path blob = blob_path(record.blob_sha256);
  struct stat blob_stat {};
  if (::stat(blob.c_str(), &blob_stat) != 0) return std::nullopt;
  if (static_cast<uint64_t>(blob_stat.st_size) != record.size) {
    io::remove_if_same(blob, blob_stat);
    warn("removed corrupt cache blob cas/" + record.blob_sha256.substr(0, 2) + "/" +
         record.blob_sha256 + " (" + std::to_string(blob_stat.st_size) +
         " bytes, the record says " + std::to_string(record.size) + ")");
    return std::nullopt;
  }
  // Last use for gc's LRU; a read-only cache simply keeps its old times.
  const timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ::futimens(fd.get(), times);
  return record;
}

Result<void> LocalStore::fetch_blob(std::string_view sha256_hex, const fs::path& dest) {
  if (!format::is_lower_hex(sha256_hex, 64)) {
    return internal("fetch_blob: malformed SHA-256 '" + std::string(sha256_hex) + "'");
  }
  auto held = LPACK_TRY(lock(false));
  fs::path blob = blob_path(sha256_hex);
  std::string relative =
      "cas/" + std::string(sha256_hex.substr(0, 2)) + "/" + std::string(sha256_hex);
  UniqueFd in(::open(blob.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) {
    int e = errno;
    if (e == ENOENT) return Error(ErrorCode::corrupt, "cache blob " + relative + " is missing");
    return errno_error(blob.string(), e);
  }
  struct stat seen {};
  if (::fstat(in.get(), &seen) != 0) return errno_error(blob.string(), errno);
  auto out = LPACK_TRY(AtomicFile::create(dest));
  auto copied = io::copy_hashing(in.get(), out.fd(), blob.string(), out.temp_path().string());
  if (!copied) return std::move(copied).error();
  std::string actual = to_hex(copied->sha256);
  if (actual != sha256_hex) {
    io::remove_if_same(blob, seen);
    // The Error is the report: no warning as well, or the caller would show it twice.
    return Error(ErrorCode::corrupt, "cache blob " + relative +
                                         " is corrupt (its content hashes to " + actual +
                                         "); removed it");
  }
  return out.commit();  // `out` removes its temporary on every earlier return
}

Result<void> LocalStore::store(std::string_view key, const OutputRecord& record,
                               const fs::path& blob_file) {
  if (!format::is_lower_hex(key, 64))
    return internal("store: malformed key '" + std::string(key) + "'");
  if (!format::is_lower_hex(record.blob_sha256, 64)) {
    return internal("store: malformed blob SHA-256 '" + record.blob_sha256 + "'");
  }
  if (!format::is_lower_hex(record.blob_xxh3, 32)) {
    return internal("store: malformed blob XXH3 '" + record.blob_xxh3 + "'");
  }
  if (record.compressor.find('\n') != std::string::npos) {
    return internal("store: the compressor name contains a newline");
  }
  auto held = LPACK_TRY(lock(false));

  // The blob first, so that a record never names a blob that was never stored.
  fs::path blob = blob_path(record.blob_sha256);
  struct stat existing {};
  bool present = ::stat(blob.c_str(), &existing) == 0 &&
                 static_cast<uint64_t>(existing.st_size) == record.size;
  if (!present) {
    UniqueFd in(::open(blob_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return errno_error(blob_file.string(), errno);
    auto temp = LPACK_TRY(io::StoreTempFile::create(m_root / "tmp"));
    auto copied =
        LPACK_TRY(io::copy_hashing(in.get(), temp.fd(), blob_file.string(), temp.path().string()));
    if (to_hex(copied.sha256) != record.blob_sha256 || copied.bytes != record.size) {
      return internal("store: " + blob_file.string() + " has SHA-256 " + to_hex(copied.sha256) +
                      " and " + std::to_string(copied.bytes) + " bytes, but the record says " +
                      record.blob_sha256 + " and " + std::to_string(record.size));
    }
    LPACK_TRY(io::make_dir(blob.parent_path()));
    LPACK_TRY(temp.commit(blob));
  }

  auto temp = LPACK_TRY(io::StoreTempFile::create(m_root / "tmp"));
  LPACK_TRY(temp.write(format::encode_record(key, record)));
  return temp.commit(record_path(key));
}

Result<void> LocalStore::remember_last(std::string_view slot, std::string_view key_text) {
  if (!valid_slot(slot))
    return internal("remember_last: malformed slot '" + std::string(slot) + "'");
  auto held = LPACK_TRY(lock(false));
  auto temp = LPACK_TRY(io::StoreTempFile::create(m_root / "tmp"));
  LPACK_TRY(temp.write(format::encode_last(key_text)));
  return temp.commit(m_root / "last" / std::string(slot));
}

std::optional<std::string> LocalStore::last(std::string_view slot) {
  if (!valid_slot(slot)) return std::nullopt;
  auto held = lock(false);
  if (!held) {
    warn(held.error().message());
    return std::nullopt;
  }
  fs::path path = m_root / "last" / std::string(slot);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat seen {};
  if (::fstat(fd.get(), &seen) != 0) return std::nullopt;
  auto text = io::read_fd(fd.get(), path.string());
  if (!text) return std::nullopt;
  auto key_text = format::decode_last(*text);
  if (!key_text) {
    io::remove_if_same(path, seen);
    warn("removed corrupt cache file last/" + std::string(slot) + " (" +
         key_text.error().message() + ")");
    return std::nullopt;
  }
  return std::move(*key_text);
}

void LocalStore::count_hit() {
  bump_counter(true);
}
void LocalStore::count_miss() {
  bump_counter(false);
}

void LocalStore::bump_counter(bool hit) {
  // Updated in place under an exclusive flock of the stats file itself: renaming a new file
  // over it would leave a concurrent updater holding the lock of a file no longer in use.
  // A torn write (a crash mid-update) fails the checksum and restarts the counters.
  fs::path path = m_root / "stats";
  auto held = io::FileLock::acquire(path, true);
  if (!held) {
    warn("cache counters not updated: " + held.error().message());
    return;
  }
  int fd = held->fd();
  auto text = io::read_fd(fd, path.string());
  format::Counters counters;
  if (text && !text->empty()) {
    auto decoded = format::decode_counters(*text);
    if (decoded) {
      counters = *decoded;
    } else {
      warn("cache counters in " + path.string() + " were corrupt (" + decoded.error().message() +
           "); restarted them");
    }
  }
  (hit ? counters.hits : counters.misses) += 1;
  std::string out = format::encode_counters(counters);
  ssize_t written = ::pwrite(fd, out.data(), out.size(), 0);
  if (written != static_cast<ssize_t>(out.size()) ||
      ::ftruncate(fd, static_cast<off_t>(out.size())) != 0) {
    warn("cache counters not updated: " + path.string() + ": " + std::strerror(errno));
  }
}

fs::path default_cache_dir(const std::map<std::string, std::string>& env) {
  auto xdg = env.find("XDG_CACHE_HOME");
  if (xdg != env.end() && fs::path(xdg->second).is_absolute())
    return fs::path(xdg->second) / "lpack";
  auto home = env.find("HOME");
  if (home != env.end() && !home->second.empty())
    return fs::path(home->second) / ".cache" / "lpack";
  return {};
}

Result<uint64_t> parse_size(std::string_view text) {
  auto bad = [&] {
    return bad_usage("'" + std::string(text) +
                     "' is not a size; use a number of bytes or e.g. 500M, 2G, 1.5G, 10GiB");
  };
  size_t i = 0;
  unsigned __int128 whole = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + static_cast<unsigned>(text[i] - '0');
    if (whole > UINT64_MAX) return bad();
    ++i;
  }
  if (i == 0) return bad();
  unsigned __int128 fraction = 0, scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 18) {
        fraction = fraction * 10 + static_cast<unsigned>(text[i] - '0');
        scale *= 10;
      }
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
  }
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  static const std::pair<std::string_view, uint64_t> k_units[] = {
      {"", 1},
      {"k", 1000ULL},
      {"m", 1000ULL * 1000},
      {"g", 1000ULL * 1000 * 1000},
      {"t", 1000ULL * 1000 * 1000 * 1000},
      {"ki", 1ULL << 10},
      {"mi", 1ULL << 20},
      {"gi", 1ULL << 30},
      {"ti", 1ULL << 40},
  };
  for (const auto& [name, multiplier] : k_units) {
    if (unit != name) continue;
    if (multiplier == 1 && fraction != 0) return bad();  // a fraction of a byte
    unsigned __int128 total = whole * multiplier + fraction * multiplier / scale;
    if (total > UINT64_MAX) return bad();
    return static_cast<uint64_t>(total);
  }
  return bad();
}

}  // namespace lpack::cache
