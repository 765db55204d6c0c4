#include <gtest/gtest.h>

#include "base/glob.hpp"

namespace lpack {
namespace {

TEST(Glob, StarStopsAtSlash) {
  EXPECT_TRUE(glob_match("*.py", "app.py"));
  EXPECT_FALSE(glob_match("*.py", "pkg/app.py"));
  EXPECT_TRUE(glob_match("**/*.py", "pkg/sub/app.py"));
  EXPECT_TRUE(glob_match("**/*.py", "app.py"));
  EXPECT_TRUE(glob_match("src/**", "src/a/b"));
  EXPECT_TRUE(glob_match("[a-c]?.txt", "b1.txt"));
  EXPECT_FALSE(glob_match("[!a-c]?.txt", "b1.txt"));
}

TEST(PathPattern, UnanchoredMatchesLastComponentAtAnyDepth) {
  PathPattern pyc("*.pyc");
  EXPECT_TRUE(pyc.matches("a/b/c.pyc", false));
  PathPattern cache("__pycache__/");
  EXPECT_TRUE(cache.matches("pkg/__pycache__", true));
  EXPECT_FALSE(cache.matches("pkg/__pycache__", false));
}

TEST(PathPattern, PatternWithSlashIsAnchored) {
  PathPattern p("tests/*.py");
  EXPECT_TRUE(p.matches("tests/test_a.py", false));
  EXPECT_FALSE(p.matches("pkg/tests/test_a.py", false));
  PathPattern rooted("/build");
  EXPECT_TRUE(rooted.matches("build", true));
  EXPECT_FALSE(rooted.matches("src/build", true));
}

// Plain names and "*suffix" take a shortcut past the glob matcher; they must agree with it.
TEST(PathPattern, ShortcutShapesAgreeWithTheGlobMatcher) {
  PathPattern name("lpack.toml");
  EXPECT_TRUE(name.matches("lpack.toml", false));
  EXPECT_TRUE(name.matches("sub/lpack.toml", false));
  EXPECT_FALSE(name.matches("sub/lpack.toml.bak", false));
  EXPECT_FALSE(name.matches("xlpack.toml", false));

  PathPattern swp("*.swp");
  EXPECT_TRUE(swp.matches(".a.swp", false));
  EXPECT_TRUE(swp.matches("deep/dir/.a.swp", false));
  EXPECT_FALSE(swp.matches("a.swp/b", false));
  EXPECT_FALSE(swp.matches("swp", false));
  PathPattern tilde("*~");
  EXPECT_TRUE(tilde.matches("x/notes~", false));
  EXPECT_TRUE(tilde.matches("~", false));

  // Rooted "/*.txt" cannot cross a "/", so it is not a suffix test on the whole path.
  PathPattern rooted("/*.txt");
  EXPECT_TRUE(rooted.matches("a.txt", false));
  EXPECT_FALSE(rooted.matches("dir/a.txt", false));
  // An escaped character keeps the glob path: "\*" is a literal star.
  PathPattern escaped("\\*.md");
  EXPECT_TRUE(escaped.matches("*.md", false));
  EXPECT_FALSE(escaped.matches("a.md", false));
}

}  // namespace
}  // namespace lpack
