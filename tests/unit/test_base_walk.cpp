#include <gtest/gtest.h>
#include <sys/stat.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "base/fs.hpp"
#include "base/walk.hpp"

namespace lpack {
namespace {

class BaseWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-walk-");
    ASSERT_TRUE(dir.has_value());
    m_dir = std::move(*dir);
    root = m_dir->path() / "root";
    fs::create_directories(root);
  }

  void file(const std::string& rel, const std::string& content = "x") {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << content;  // no fsync: a thousand of them
  }

  static std::vector<std::string> paths(const std::vector<TreeEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.path + (e.is_dir ? "/" : ""));
    return out;
  }

  std::optional<TempDir> m_dir;
  fs::path root;
};

TEST_F(BaseWalk, ListsFilesInBytewisePathOrderWithTheirStat) {
  // "a.b" sorts before "a/..." as a path ('.' < '/'), although folder "a" sorts first by name.
  file("a/z.txt");
  file("a.b");
  file("b", "hello");
  file("a/sub/y");
  ::chmod((root / "b").c_str(), 0750);
  WalkOptions options;
  options.with_dirs = true;
  auto entries = walk_tree(root, options);
  ASSERT_TRUE(entries.has_value()) << entries.error().message();
  EXPECT_EQ(paths(*entries),
            (std::vector<std::string>{"a/", "a.b", "a/sub/", "a/sub/y", "a/z.txt", "b"}));
  const TreeEntry& b = entries->back();
  EXPECT_TRUE(b.executable);
  EXPECT_EQ(b.size, 5u);
  EXPECT_EQ(b.source, (fs::canonical(root) / "b").string());
  struct stat st {};
  ASSERT_EQ(::stat(b.source.c_str(), &st), 0);
  EXPECT_EQ(b.inode, st.st_ino);
  EXPECT_EQ(b.mtime_ns, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec);
}

TEST_F(BaseWalk, ExcludedFoldersArePrunedAndIncludesFilterFiles) {
  file("keep/a.py");
  file("keep/a.pyc");
  file("node_modules/x/index.js");
  file("README.md");
  WalkOptions options;
  options.exclude = PathPatternSet({"node_modules/", "*.pyc"});
  options.include = PathPatternSet({"*.py", "*.md"});
  auto entries = walk_tree(root, options);
  ASSERT_TRUE(entries.has_value());
  EXPECT_EQ(paths(*entries), (std::vector<std::string>{"README.md", "keep/a.py"}));
}

TEST_F(BaseWalk, SymlinksInsideAreFollowedAndOthersAreBadInput) {
  file("real/data.txt", "data");
  fs::create_symlink("real/data.txt", root / "link.txt");
  fs::create_directory_symlink("real", root / "alias");
  auto entries = walk_tree(root, {});
  ASSERT_TRUE(entries.has_value()) << entries.error().message();
  EXPECT_EQ(paths(*entries),
            (std::vector<std::string>{"alias/data.txt", "link.txt", "real/data.txt"}));
  EXPECT_EQ((*entries)[1].source, (fs::canonical(root) / "real/data.txt").string());

  fs::create_symlink(m_dir->path(), root / "real/escape");
  auto outside = walk_tree(root, {});
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().code(), ErrorCode::bad_input);
  // Reached through "alias" and "real": the smaller path is named, whichever worker saw it.
  EXPECT_NE(outside.error().message().find("alias/escape: symlink points outside"),
            std::string::npos)
      << outside.error().message();
}

TEST_F(BaseWalk, DanglingLinksAndLoopsAreNamed) {
  file("d/f");
  fs::create_symlink("nowhere", root / "d/broken");
  auto dangling = walk_tree(root, {});
  ASSERT_FALSE(dangling.has_value());
  EXPECT_NE(dangling.error().message().find("d/broken: symlink points to a missing file"),
            std::string::npos);

  fs::remove(root / "d/broken");
  fs::create_directory_symlink("..", root / "d/up");
  auto loop = walk_tree(root, {});
  ASSERT_FALSE(loop.has_value());
  EXPECT_NE(loop.error().message().find("d/up: symlink loop"), std::string::npos)
      << loop.error().message();
}

// A tree a tool is still writing: what cannot be listed is left out rather than fatal.
TEST_F(BaseWalk, BestEffortLeavesOutWhatItCannotList) {
  file("kept.txt");
  fs::create_symlink("nowhere", root / "broken");
  fs::create_symlink(m_dir->path(), root / "escape");
  ASSERT_FALSE(walk_tree(root, {}).has_value());
  WalkOptions options;
  options.best_effort = true;
  auto entries = walk_tree(root, options);
  ASSERT_TRUE(entries.has_value()) << entries.error().message();
  EXPECT_EQ(paths(*entries), (std::vector<std::string>{"kept.txt"}));
}

// Folders are listed in parallel; the result must not depend on how many workers there are.
TEST_F(BaseWalk, SameResultWithOneWorkerOrMany) {
  for (int d = 0; d < 40; ++d) {
    for (int f = 0; f < 25; ++f)
      file("d" + std::to_string(d % 7) + "/s" + std::to_string(d) + "/f" + std::to_string(f));
  }
  WalkOptions options;
  options.with_dirs = true;
  auto walk_with = [&](int threads) {
    std::vector<std::string> out;
    tbb::task_arena arena(threads);
    arena.execute([&] {
      auto entries = walk_tree(root, options);
      ASSERT_TRUE(entries.has_value());
      for (const auto& e : *entries)
        out.push_back(e.path + " " + e.source + " " + std::to_string(e.inode));
    });
    return out;
  };
  // 16 real threads even on a 2-core machine, where TBB would otherwise cap the arena.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 16);
  auto one = walk_with(1);
  EXPECT_EQ(one.size(), 40u * 25u + 40u + 7u);
  EXPECT_EQ(one, walk_with(4));
  EXPECT_EQ(one, walk_with(16));
}

}  // namespace
}  // namespace lpack
