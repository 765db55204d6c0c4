#include "cache/store_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace lpack::cache::io {

Result<FileLock> FileLock::acquire(const fs::path& file, bool exclusive) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return errno_error(file.string(), errno).context("cannot open the cache lock");
  while (::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) return errno_error(file.string(), errno).context("cannot lock the cache");
  }
  return FileLock(std::move(fd));
}

Result<StoreTempFile> StoreTempFile::create(const fs::path& tmp_dir) {
  std::string pattern = (tmp_dir / "w.XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return errno_error(tmp_dir.string(), errno).context("cannot write into the cache");
  // mkostemp makes 0600; a cache folder shared by a group should stay readable.
  ::fchmod(fd, 0644);
  return StoreTempFile(UniqueFd(fd), fs::path(name.data()));
}

StoreTempFile::~StoreTempFile() {
  if (!m_done && !m_path.empty()) ::unlink(m_path.c_str());
}

Result<void> StoreTempFile::commit(const fs::path& final_path) {
  if (::fsync(m_fd.get()) != 0) return errno_error(m_path.string(), errno);
  m_fd.reset();
  fs::path dir = final_path.parent_path();
  LPACK_TRY(make_dir(dir));
  if (::rename(m_path.c_str(), final_path.c_str()) != 0) {
    return errno_error(final_path.string(), errno);
  }
  m_done = true;
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) ::fsync(dfd.get());
  return ok();
}

Result<Copied> copy_hashing(int in_fd, int out_fd, std::string_view in_name,
                            std::string_view out_name) {
  constexpr size_t k_buffer_size = size_t{1} << 20;
  auto buffer = std::make_unique_for_overwrite<char[]>(k_buffer_size);
  Sha256 hash;
  Copied copied;
  for (;;) {
    ssize_t n = ::read(in_fd, buffer.get(), k_buffer_size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(in_name, errno);
    }
    if (n == 0) break;
    std::string_view chunk(buffer.get(), static_cast<size_t>(n));
    hash.update(chunk);
    copied.bytes += chunk.size();
    if (out_fd >= 0) LPACK_TRY(write_all(out_fd, chunk, out_name));
  }
  copied.sha256 = hash.finish();
  return copied;
}

Result<std::string> read_fd(int fd, std::string_view name) {
  std::string out;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(name, errno);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

void remove_if_same(const fs::path& path, const struct stat& seen) {
  struct stat now {};
  if (::lstat(path.c_str(), &now) == 0 && now.st_dev == seen.st_dev && now.st_ino == seen.st_ino) {
    ::unlink(path.c_str());
  }
}

Result<std::vector<std::string>> list_names(const fs::path& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return names;
    return errno_error(dir.string(), errno);
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return errno_error(dir.string(), errno).context("cannot create cache folder");
  }
  return ok();
}

}  // namespace lpack::cache::io
