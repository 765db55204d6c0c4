// The local cache store: an action cache (action key -> OutputRecord) and a CAS of blobs
// named by their SHA-256, in one folder that several lpack processes may share. It is
// right first: every read is verified, and a damaged entry is discarded and reported as a
// miss, so a corrupted cache can slow a build but never change its output.
//
// Layout under the root (--cache-dir; default_cache_dir() otherwise):
//   CACHEDIR.TAG          marks the folder as a cache for backup tools
//   lock                  flock()ed: shared by every operation, exclusive by gc and clear
//   stats                 hit/miss counters (updated in place under flock of the file)
//   statcache             the StatCache file (stat_cache_path(); StatCache owns the format)
//   ac/<k0k1>/<key>       one record per action key (64 lowercase hex digits)
//   cas/<s0s1>/<sha256>   one blob per content (its lowercase hex SHA-256)
//   last/<slot>           the key text of a slot's previous build, for `lpack explain`
//   tmp/                  every file the store writes starts here, then is renamed in place
//
// Text formats. Each is a header line, fields, and a checksum line; the checksum is XXH3-64
// (16 lowercase hex digits) of every byte before the "checksum " line:
//   record  := "lpack-record 2\n"
//              "key " key "\n"  "blob " sha256 "\n"  "blob_xxh3 " hex32 "\n"  "size " uint "\n"
//              "unpacked_size " uint "\n"  "entries " uint "\n"  "compressor " text "\n"
//              "key_text " uint "\n" bytes{uint} "\n"        (length-prefixed, may hold "\n")
//              "checksum " hex16 "\n"
//   last    := "lpack-last 1\n" "key_text " uint "\n" bytes{uint} "\n" "checksum " hex16 "\n"
//   stats   := "lpack-stats 1\n" "hits " uint "\n" "misses " uint "\n" "checksum " hex16 "\n"
// A record with another version is left alone and is a miss (a newer lpack may share the
// folder); any other damage makes it corrupt.
//
// What is trusted, and why:
// - A record is used only if its magic, version and checksum are right, its key equals the
//   name it was looked up by, and its blob exists with the recorded size. A corrupt record
//   is deleted, with a warning.
// - A blob is trusted only after its bytes hash to its name: fetch_blob() verifies while it
//   copies, deletes a blob that fails and returns ErrorCode::corrupt, so the caller rebuilds.
// - Last use (for gc's LRU) is the record's mtime: set when the record is written and
//   touched (utimensat) on every hit. atime is not used: relatime/noatime make it unreliable.
//
// Concurrency. Stores need no lock against each other: a blob or record is written whole
// under a unique name in tmp/, fsynced and renamed into place, so a reader sees the old
// file, the new one, or none, and two processes storing one key write equal content (the
// last rename wins). The blob is stored before its record, so a record never points at a
// blob that was never there. What renames cannot protect against is deletion: gc could
// remove a blob that a concurrent store has just found present (and so did not write)
// and is about to reference, or one a reader is copying, and it would sweep tmp/ files
// still being written. So every operation holds a shared flock on root/lock and gc and
// clear hold it exclusively; tmp/ files seen by gc or clear belong to killed processes.
// Each operation opens its own lock descriptor, so one LocalStore may be used from many
// threads and its locks still exclude each other (flock locks belong to an open file).
// Between lookup() and fetch_blob() the lock is released: gc may run in between, and the
// caller treats a failed fetch_blob() as a miss.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::cache {

namespace io {
class FileLock;  // store_io.hpp
}

struct OutputRecord {
  std::string blob_sha256;  // lowercase hex SHA-256 of the artifact (the zip)
  // Lowercase hex XXH3-128 of the same bytes: the builder's "is --out already this
  // artifact?" check compares it with the stat-cached hash of the file in --out, so a warm
  // no-op build reads neither the zip nor the blob. Not a name: the CAS is keyed by SHA-256.
  std::string blob_xxh3;
  uint64_t size = 0;           // bytes of the blob (checked by store())
  uint64_t unpacked_size = 0;  // sum of the entries' sizes
  uint64_t entries = 0;        // entries in the zip
  std::string compressor;      // e.g. "libdeflate-6"; no newline
  std::string key_text;        // the canonical key text (ActionKey::canonical_text())
  bool operator==(const OutputRecord&) const = default;
};

class LocalStore {
 public:
  // Creates the layout under `root` if needed. An io Error names the folder that could not
  // be created.
  static Result<std::unique_ptr<LocalStore>> open(const fs::path& root);

  const fs::path& root() const { return m_root; }
  // Where the caller keeps its StatCache (the store only removes it in clear()).
  fs::path stat_cache_path() const { return m_root / "statcache"; }

  // The verified record for `key` (64 lowercase hex digits), or nullopt on a miss: absent,
  // unknown version, corrupt (deleted, with a warning) or blob missing. A hit touches the
  // record's last-use time. Does not count hits or misses (count_hit()/count_miss() do).
  std::optional<OutputRecord> lookup(std::string_view key);

  // Copies blob `sha256_hex` to `dest`, verifying its SHA-256 on the way. `dest` is written
  // under a temporary name in its own folder and renamed, so it never appears half-written.
  // Errors: ErrorCode::corrupt when the blob is missing or its content does not match its
  // name (it is then deleted); io when `dest` cannot be written. Either way: rebuild. The
  // Error's message (naming the blob) is the only report: no warning is added for it.
  Result<void> fetch_blob(std::string_view sha256_hex, const fs::path& dest);

  // Stores `blob_file` (unless the CAS has that blob already) and then the record for `key`.
  // The file must hash to record.blob_sha256 and have record.size bytes (else internal
  // Error: a caller bug, nothing is stored). The caller keeps `blob_file`; it is copied.
  Result<void> store(std::string_view key, const OutputRecord& record, const fs::path& blob_file);

  // The key text of the previous build of `slot` (1-128 characters of [A-Za-z0-9_-], e.g. a
  // hash of the source folder and step), for `lpack explain`. A damaged file is a nullopt
  // with a warning.
  Result<void> remember_last(std::string_view slot, std::string_view key_text);
  std::optional<std::string> last(std::string_view slot);

  // Persisted counters. A failure to update them is only a warning.
  void count_hit();
  void count_miss();

  struct Stats {
    uint64_t records = 0;
    uint64_t blobs = 0;
    uint64_t bytes = 0;  // sizes of all records and blobs (what gc bounds)
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  Result<Stats> stats();

  struct VerifyReport {
    // "<path relative to root>: <reason>", sorted; empty when the cache is sound.
    std::vector<std::string> corrupt;
    uint64_t checked = 0;  // records + blobs examined
  };
  // Re-hashes every blob (its content must hash to its name) and re-checks every record
  // (format, checksum, key = name, blob present with the recorded size). Reports only; the
  // next lookup, fetch or gc removes what is damaged. An Error only when a folder cannot be
  // read.
  Result<VerifyReport> verify();

  struct GcReport {
    uint64_t removed_records = 0;
    uint64_t removed_blobs = 0;
    uint64_t bytes_before = 0;
    uint64_t bytes_after = 0;
  };
  // Under the exclusive lock: empties tmp/; removes corrupt records, records whose blob is
  // missing and blobs no record references; then removes records least recently used first
  // (ties by key), and blobs as their last record goes, until records + blobs <= max_bytes.
  Result<GcReport> gc(uint64_t max_bytes);

  // Under the exclusive lock: removes every record, blob, temporary file, last/ entry and
  // the stat cache. The hit/miss counters are kept (like ccache's, they describe history).
  Result<void> clear();

  // Warnings gathered since the last call (corrupt entries removed, counters not updated...),
  // one line each; the caller shows them.
  std::vector<std::string> take_warnings();

  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

 private:
  explicit LocalStore(fs::path root) : m_root(std::move(root)) {}
  fs::path record_path(std::string_view key) const;
  fs::path blob_path(std::string_view sha256_hex) const;
  Result<io::FileLock> lock(bool exclusive) const;
  void warn(std::string message);
  void bump_counter(bool hit);

  fs::path m_root;
  std::mutex m_warnings_mutex;
  std::vector<std::string> m_warnings;
};

// $XDG_CACHE_HOME/lpack when that is set to an absolute path, else $HOME/.cache/lpack;
// an empty path when neither is usable (the caller asks for --cache-dir).
fs::path default_cache_dir(const std::map<std::string, std::string>& env);

// "1024", "500M", "2G", "1.5G", "10KiB", "2GiB", "100MB" -> bytes. K/M/G/T are powers of
// 1000 and Ki/Mi/Gi/Ti powers of 1024 (an optional trailing "B"; letters in any case).
// A bad_usage Error quotes the text and shows the accepted forms.
Result<uint64_t> parse_size(std::string_view text);

}  // namespace lpack::cache
