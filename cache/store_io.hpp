// File-system pieces of the local store: flock()ed lock files, files written under tmp/
// and renamed into place, copying with a SHA-256 on the way, and sorted folder listings.
// Internal to cache/.
//
// StoreTempFile exists beside base's AtomicFile because AtomicFile puts its temporary next
// to the final path; the store wants every temporary in one tmp/ folder, so that gc and
// clear (holding the exclusive lock) can sweep what killed processes left behind without
// recognising temporary names in every ac/ and cas/ sub-folder.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"

namespace lpack::cache::io {

// A flock() on `file` (created if missing) held until destruction. Each FileLock opens its
// own descriptor, so two FileLocks of one process exclude each other like two processes.
class FileLock {
 public:
  static Result<FileLock> acquire(const fs::path& file, bool exclusive);
  int fd() const { return m_fd.get(); }

 private:
  explicit FileLock(UniqueFd fd) : m_fd(std::move(fd)) {}
  UniqueFd m_fd;
};

// A file created in `tmp_dir` that commit() fsyncs and renames to its final path (creating
// the final folder if needed, then fsyncing it). Destroying it uncommitted removes it.
class StoreTempFile {
 public:
  static Result<StoreTempFile> create(const fs::path& tmp_dir);
  StoreTempFile(StoreTempFile&& other) noexcept
      : m_fd(std::move(other.m_fd)),
        m_path(std::exchange(other.m_path, {})),
        m_done(other.m_done) {}
  StoreTempFile& operator=(StoreTempFile&&) = delete;
  ~StoreTempFile();

  int fd() const { return m_fd.get(); }
  const fs::path& path() const { return m_path; }
  Result<void> write(std::string_view data) { return write_all(m_fd.get(), data, m_path.string()); }
  Result<void> commit(const fs::path& final_path);

 private:
  StoreTempFile(UniqueFd fd, fs::path path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
  UniqueFd m_fd;
  fs::path m_path;
  bool m_done = false;
};

struct Copied {
  Sha256Digest sha256{};
  uint64_t bytes = 0;
};
// Reads `in_fd` to its end, writing every byte to `out_fd` unless it is -1, and hashes it.
// Errors name `in_name` or `out_name`.
Result<Copied> copy_hashing(int in_fd, int out_fd, std::string_view in_name,
                            std::string_view out_name);

// The whole content of an open file.
Result<std::string> read_fd(int fd, std::string_view name);

// Unlinks `path` only if it is still the file `seen` describes: a corrupt entry found by
// one process may have been replaced by a good one from another since it was opened.
void remove_if_same(const fs::path& path, const struct stat& seen);

// The names in `dir`, sorted; an absent folder is empty.
Result<std::vector<std::string>> list_names(const fs::path& dir);

// Creates `dir` (one level) unless it exists.
Result<void> make_dir(const fs::path& dir);

}  // namespace lpack::cache::io
