// Files: whole-file reads, atomic writes (temp + fsync + rename), temporary folders and fds
// as move-only RAII types, and PATH lookup. Every error names the path it concerns.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace lpack {

namespace fs = std::filesystem;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return m_fd; }
  explicit operator bool() const { return m_fd >= 0; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

Result<std::string> read_file(const fs::path& path);
// Writes `data` to a temporary file beside `path`, fsyncs it and renames it over `path`.
Result<void> write_file_atomic(const fs::path& path, std::string_view data);
// Writes all of `data` to fd, retrying short writes; `what` names the file in errors.
Result<void> write_all(int fd, std::string_view data, std::string_view what);

// A file that appears at its final path only when commit() succeeds: it is written under a
// temporary name in the same folder and renamed. Destroying an uncommitted AtomicFile
// removes the temporary, so a failed or interrupted writer leaves nothing half-written.
class AtomicFile {
 public:
  // Creates the temporary file (mode 0644 before umask) beside `final_path`.
  static Result<AtomicFile> create(const fs::path& final_path);
  AtomicFile(AtomicFile&& other) noexcept = default;
  AtomicFile& operator=(AtomicFile&&) noexcept = default;
  ~AtomicFile();

  int fd() const { return m_fd.get(); }
  const fs::path& temp_path() const { return m_temp; }
  const fs::path& final_path() const { return m_final; }
  Result<void> write(std::string_view data) { return write_all(m_fd.get(), data, m_temp.string()); }
  // fsync, close, rename to the final path and fsync the folder.
  Result<void> commit();

 private:
  AtomicFile(UniqueFd fd, fs::path temp, fs::path final_path)
      : m_fd(std::move(fd)), m_temp(std::move(temp)), m_final(std::move(final_path)) {}
  UniqueFd m_fd;
  fs::path m_temp;
  fs::path m_final;
  bool m_done = false;
};

// A fresh folder (mkdtemp) removed with its contents on destruction unless released.
class TempDir {
 public:
  // Creates `parent/prefixXXXXXX`; parent defaults to $TMPDIR, else /tmp.
  static Result<TempDir> create(std::string_view prefix, const fs::path& parent = {});
  TempDir(TempDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const fs::path& path() const { return m_path; }
  fs::path release() { return std::exchange(m_path, {}); }

 private:
  explicit TempDir(fs::path path) : m_path(std::move(path)) {}
  fs::path m_path;
};

// Removes a tree, making read-only folders writable first (Go's module cache is read-only).
void remove_tree(const fs::path& path);

// The first executable `name` on $PATH (or `name` itself when it contains a '/').
std::optional<fs::path> find_program(std::string_view name);

}  // namespace lpack
