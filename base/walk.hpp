// Walks a folder into a sorted list of entries: the one directory walk every part of lpack
// uses (function sources, build outputs, hash inputs), so that every part agrees on order,
// modes and symlink handling.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/glob.hpp"

namespace lpack {

struct TreeEntry {
  std::string path;    // relative to the root, "/"-separated, no leading "./"
  std::string source;  // where to read it from: absolute, symlinks already resolved
  bool is_dir = false;
  bool executable = false;  // any execute bit on the (resolved) file
  uint64_t size = 0;
  // Identity for stat caches.
  dev_t device = 0;
  ino_t inode = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
};

struct WalkOptions {
  PathPatternSet include;  // empty: every file; otherwise a file must match one
  PathPatternSet exclude;  // matching files are skipped, matching folders pruned
  bool with_dirs = false;  // also list the folders that hold an included file
  // Leave out entries that vanish, cannot be read or point outside the root, instead of
  // failing the walk: for a tree a tool is still writing, where a missed file costs nothing.
  bool best_effort = false;
};

// Entries sorted bytewise by path. Symlinks are followed and reported as what they point to;
// one that resolves outside `root` is a bad_input Error naming it, as is a dangling one.
// Sockets, fifos and devices are skipped.
Result<std::vector<TreeEntry>> walk_tree(const fs::path& root, const WalkOptions& options);

// One regular file (symlinks followed) as the walk would list it, with `path` = `file` as
// given; for stat-cache lookups of single files. An io Error when it is missing or not a file.
Result<TreeEntry> stat_entry(const fs::path& file);

}  // namespace lpack
