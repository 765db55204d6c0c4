#include "base/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <utility>

namespace lpack {
namespace {

struct Walker {
  const WalkOptions& options;
  fs::path root_real;
  std::vector<TreeEntry> files;
  std::set<std::string> dirs;
  std::vector<std::pair<dev_t, ino_t>> stack;  // folders on the current path, to stop cycles

  bool inside_root(const fs::path& real) const {
    auto rel = real.lexically_relative(root_real);
    return !rel.empty() && *rel.begin() != "..";
  }

  // Lists `dir` (already open as `dir_fd`, which this takes over) and recurses. Entries are
  // stat-ed relative to the folder's fd: a full-path stat would walk every component of the
  // path again for each of tens of thousands of files.
  Result<void> walk_dir(int dir_fd, const std::string& dir, const std::string& rel) {
    DIR* d = ::fdopendir(dir_fd);
    if (!d) {
      ::close(dir_fd);
      return errno_error(dir, errno);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());

    Result<void> result = ok();
    for (const auto& name : names) {
      result = visit(d, dir, rel, name);
      if (!result) break;
    }
    ::closedir(d);
    return result;
  }

  Result<void> visit(DIR* d, const std::string& dir, const std::string& rel, const std::string& name) {
    std::string full = dir + "/" + name;
    std::string path = rel.empty() ? name : rel + "/" + name;
    struct stat st {};
    if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error(full, errno);
    std::string source = full;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path real = fs::canonical(full, ec);
      if (ec) return bad_input(path + ": symlink points to a missing file; remove it or fix its target");
      if (real != root_real && !inside_root(real)) {
        return bad_input(path + ": symlink points outside the source folder (to " + real.string() +
                         "); copy the file in or exclude the link");
      }
      if (::stat(real.c_str(), &st) != 0) return errno_error(real.string(), errno);
      source = real.string();
    }
    bool is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode)) return ok();
    if (options.exclude.matches(path, is_dir)) return ok();
    if (is_dir) {
      auto id = std::make_pair(st.st_dev, st.st_ino);
      if (std::find(stack.begin(), stack.end(), id) != stack.end()) {
        return bad_input(path + ": symlink loop; remove the link");
      }
      int fd = source == full ? ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                              : ::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return errno_error(source, errno);
      stack.push_back(id);
      auto r = walk_dir(fd, source, path);
      stack.pop_back();
      return r;
    }
    if (!options.include.empty() && !options.include.matches(path, false)) return ok();
    TreeEntry entry;
    entry.path = std::move(path);
    entry.source = std::move(source);
    entry.executable = (st.st_mode & 0111) != 0;
    entry.size = static_cast<uint64_t>(st.st_size);
    entry.device = st.st_dev;
    entry.inode = st.st_ino;
    entry.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    entry.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    if (options.with_dirs) {
      const std::string& p = entry.path;
      for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
        dirs.insert(p.substr(0, slash));
      }
    }
    files.push_back(std::move(entry));
    return ok();
  }
};

}  // namespace

Result<std::vector<TreeEntry>> walk_tree(const fs::path& root, const WalkOptions& options) {
  std::error_code ec;
  fs::path root_real = fs::canonical(root, ec);
  if (ec) return errno_error(root.string(), ec.value());
  if (!fs::is_directory(root_real)) return bad_input(root.string() + ": not a folder");
  Walker walker{options, root_real, {}, {}, {}};
  struct stat st {};
  if (::stat(root_real.c_str(), &st) == 0) walker.stack.emplace_back(st.st_dev, st.st_ino);
  int root_fd = ::open(root_real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return errno_error(root.string(), errno);
  LPACK_TRY(walker.walk_dir(root_fd, root_real.string(), ""));

  std::vector<TreeEntry> out = std::move(walker.files);
  for (const auto& d : walker.dirs) {
    TreeEntry entry;
    entry.path = d;
    entry.source = root_real / d;
    entry.is_dir = true;
    entry.executable = true;
    out.push_back(std::move(entry));
  }
  // Bytewise order of the full path. (The walk sorted each folder's names, but "a/b" vs
  // "a.b" sorts differently as a path than as nested names.)
  std::sort(out.begin(), out.end(), [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return out;
}

}  // namespace lpack
