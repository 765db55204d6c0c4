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

}  // namespace
}  // namespace lpack
