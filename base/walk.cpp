#include "base/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_group.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <utility>

namespace lpack {
namespace {

using FolderId = std::pair<dev_t, ino_t>;

void set_stat(TreeEntry& entry, const struct stat& st) {
  entry.executable = (st.st_mode & 0111) != 0;
  entry.size = static_cast<uint64_t>(st.st_size);
  entry.device = st.st_dev;
  entry.inode = st.st_ino;
  entry.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  entry.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
}

// A folder to list: its path on disk and relative to the root, the folders above it (to stop
// symlink cycles; a few entries, copied per folder), and maybe an fd opened relative to its
// parent, which the task owns.
struct Folder {
  int fd = -1;  // -1: opened by `dir` when its task runs
  std::string dir;
  std::string rel;
  std::vector<FolderId> ancestors;
};

// Folders are listed in parallel (TBB tasks, one per folder): with a warm page cache a walk
// is all system calls, and they scale with cores. Each worker appends to its own list; the
// lists are merged and sorted at the end, so the result never depends on scheduling. Errors
// are collected rather than cancelling the walk, and the one with the smallest path is
// reported, for the same reason.
struct Walker {
  // A queued folder holds its fd until its task runs, so only this many are opened ahead
  // (relative to their parent: an open by absolute path looks up every component again);
  // the rest are opened by path, and a wide tree cannot exhaust the process's fds.
  static constexpr int k_max_queued_fds = 64;

  const WalkOptions& options;
  std::string root_real;
  std::atomic<int> queued_fds{0};
  tbb::task_group tasks;
  tbb::enumerable_thread_specific<std::vector<TreeEntry>> files;
  std::mutex errors_mutex;
  std::vector<std::pair<std::string, Error>> errors;  // (relative path, error)

  void fail(const std::string& rel, Error error) {
    if (options.best_effort) return;
    std::lock_guard lock(errors_mutex);
    errors.emplace_back(rel, std::move(error));
  }

  bool inside_root(const fs::path& real) const {
    auto rel = real.lexically_relative(root_real);
    return !rel.empty() && *rel.begin() != "..";
  }

  void spawn(Folder folder) {
    tasks.run([this, f = std::move(folder)] { walk_dir(f); });
  }

  // Lists `folder` and stats each entry relative to the folder's fd: a full-path stat would
  // walk every component of the path again for each of tens of thousands of files.
  void walk_dir(const Folder& folder) {
    int fd = folder.fd;
    if (fd >= 0) {
      queued_fds.fetch_sub(1, std::memory_order_relaxed);
    } else {
      fd = ::open(folder.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (!d) {
      int error = errno;
      if (fd >= 0) ::close(fd);
      return fail(folder.rel, errno_error(folder.dir, error));
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      names.emplace_back(name);
    }
    auto& out = files.local();
    for (const auto& name : names) visit(d, folder, name, out);
    ::closedir(d);
  }

  void visit(DIR* d, const Folder& folder, const std::string& name, std::vector<TreeEntry>& out) {
    std::string path = folder.rel.empty() ? name : folder.rel + "/" + name;
    struct stat st {};
    if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return fail(path, errno_error(folder.dir + "/" + name, errno));
    }
    std::string source;  // empty: folder.dir + "/" + name, built only when needed
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path real = fs::canonical(folder.dir + "/" + name, ec);
      if (ec)
        return fail(
            path,
            bad_input(path + ": symlink points to a missing file; remove it or fix its target"));
      if (real != root_real && !inside_root(real)) {
        return fail(path, bad_input(path + ": symlink points outside the source folder (to " +
                                    real.string() + "); copy the file in or exclude the link"));
      }
      if (::stat(real.c_str(), &st) != 0) return fail(path, errno_error(real.string(), errno));
      source = real.string();
    }
    bool is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode)) return;
    if (options.exclude.matches(path, is_dir)) return;
    if (is_dir) {
      FolderId id{st.st_dev, st.st_ino};
      if (std::find(folder.ancestors.begin(), folder.ancestors.end(), id) !=
          folder.ancestors.end()) {
        return fail(path, bad_input(path + ": symlink loop; remove the link"));
      }
      Folder sub;
      if (source.empty() && queued_fds.fetch_add(1, std::memory_order_relaxed) < k_max_queued_fds) {
        sub.fd = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub.fd < 0) queued_fds.fetch_sub(1, std::memory_order_relaxed);  // retried by path
      } else if (source.empty()) {
        queued_fds.fetch_sub(1, std::memory_order_relaxed);
      }
      sub.dir = source.empty() ? folder.dir + "/" + name : std::move(source);
      sub.rel = std::move(path);
      sub.ancestors = folder.ancestors;
      sub.ancestors.push_back(id);
      return spawn(std::move(sub));
    }
    if (!options.include.empty() && !options.include.matches(path, false)) return;
    TreeEntry& entry = out.emplace_back();
    entry.source = source.empty() ? folder.dir + "/" + name : std::move(source);
    entry.path = std::move(path);
    set_stat(entry, st);
  }
};

}  // namespace

Result<std::vector<TreeEntry>> walk_tree(const fs::path& root, const WalkOptions& options) {
  std::error_code ec;
  fs::path root_real = fs::canonical(root, ec);
  if (ec) return errno_error(root.string(), ec.value());
  if (!fs::is_directory(root_real)) return bad_input(root.string() + ": not a folder");
  Walker walker{options, root_real.string()};
  Folder top;
  struct stat st {};
  if (::stat(root_real.c_str(), &st) == 0) top.ancestors.emplace_back(st.st_dev, st.st_ino);
  top.dir = walker.root_real;
  walker.spawn(std::move(top));
  walker.tasks.wait();
  if (!walker.errors.empty()) {
    auto first = std::min_element(walker.errors.begin(), walker.errors.end(),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    return std::move(first->second);
  }

  std::vector<TreeEntry*> all;
  for (auto& list : walker.files) {
    for (auto& e : list) all.push_back(&e);
  }
  std::vector<TreeEntry> folders;
  if (options.with_dirs) {
    std::set<std::string_view> dirs;
    for (const TreeEntry* f : all) {
      const std::string& p = f->path;
      for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
        dirs.insert(std::string_view(p).substr(0, slash));
      }
    }
    folders.reserve(dirs.size());
    for (auto d : dirs) {
      TreeEntry& entry = folders.emplace_back();
      entry.path = std::string(d);
      entry.source = walker.root_real + "/" + entry.path;
      entry.is_dir = true;
      entry.executable = true;
    }
    for (auto& f : folders) all.push_back(&f);
  }
  // Bytewise order of the full path, which also makes the result independent of which
  // worker listed what. Pointers are sorted, then the entries moved once.
  std::sort(all.begin(), all.end(),
            [](const TreeEntry* a, const TreeEntry* b) { return a->path < b->path; });
  std::vector<TreeEntry> out;
  out.reserve(all.size());
  for (TreeEntry* e : all) out.push_back(std::move(*e));
  return out;
}

Result<TreeEntry> stat_entry(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return errno_error(file.string(), errno);
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::io, file.string() + ": not a regular file");
  TreeEntry entry;
  entry.path = file.string();
  entry.source = entry.path;
  set_stat(entry, st);
  return entry;
}

}  // namespace lpack
