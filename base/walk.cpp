#include "base/walk.hpp"

#include <dirent.h>
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

  Result<void> walk_dir(const fs::path& dir, const std::string& rel) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno_error(dir.string(), errno);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());

    for (const auto& name : names) {
      fs::path full = dir / name;
      std::string path = rel.empty() ? name : rel + "/" + name;
      struct stat st {};
      if (::lstat(full.c_str(), &st) != 0) return errno_error(full.string(), errno);
      fs::path source = full;
      if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        fs::path real = fs::canonical(full, ec);
        if (ec) return bad_input(path + ": symlink points to a missing file; remove it or fix its target");
        if (real != root_real && !inside_root(real)) {
          return bad_input(path + ": symlink points outside the source folder (to " + real.string() +
                           "); copy the file in or exclude the link");
        }
        if (::stat(real.c_str(), &st) != 0) return errno_error(real.string(), errno);
        source = real;
      }
      bool is_dir = S_ISDIR(st.st_mode);
      if (!is_dir && !S_ISREG(st.st_mode)) continue;
      if (options.exclude.matches(path, is_dir)) continue;
      if (is_dir) {
        auto id = std::make_pair(st.st_dev, st.st_ino);
        if (std::find(stack.begin(), stack.end(), id) != stack.end()) {
          return bad_input(path + ": symlink loop; remove the link");
        }
        stack.push_back(id);
        auto r = walk_dir(source, path);
        stack.pop_back();
        if (!r) return r;
        continue;
      }
      if (!options.include.empty() && !options.include.matches(path, false)) continue;
      TreeEntry entry;
      entry.path = path;
      entry.source = source;
      entry.executable = (st.st_mode & 0111) != 0;
      entry.size = static_cast<uint64_t>(st.st_size);
      entry.device = st.st_dev;
      entry.inode = st.st_ino;
      entry.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      entry.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
      if (options.with_dirs) {
        for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
          dirs.insert(path.substr(0, slash));
        }
      }
      files.push_back(std::move(entry));
    }
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
  LPACK_TRY(walker.walk_dir(root_real, ""));

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
