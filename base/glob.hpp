// Path globs with gitignore's reading, used for the config's `exclude` lists and the
// runtimes' default excludes:
//   pattern  := ["/"] segment {"/" segment} ["/"]
//   "*" any run of characters but "/", "?" one character but "/", "[a-z]" / "[!a-z]" a class,
//   "**" any run of whole segments (including none), "\x" a literal x.
// A pattern without an inner "/" matches the last component of a path at any depth
// ("*.pyc", "__pycache__"); otherwise it is anchored at the root ("src/gen/**"). A trailing
// "/" restricts it to folders.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lpack {

// Matches `text` against a plain glob (no gitignore rules): "*" and "?" stop at "/".
bool glob_match(std::string_view pattern, std::string_view text);

class PathPattern {
 public:
  explicit PathPattern(std::string_view pattern);
  // `path` is relative to the root, "/"-separated, without a leading "./".
  bool matches(std::string_view path, bool is_dir) const;
  const std::string& text() const { return m_text; }

 private:
  friend class PathPatternSet;
  // `name` is the last component of `path`, split off once per path by the set.
  bool matches(std::string_view path, std::string_view name, bool is_dir) const;

  // Most patterns are a plain name ("lpack.toml", "__pycache__") or "*" and a plain suffix
  // ("*.pyc"); they are checked with one comparison instead of the glob matcher, because
  // every excluded pattern is tried on every file of a tree.
  enum class Shape { literal, suffix, glob };

  std::string m_text;
  std::string m_glob;
  std::string m_plain;  // literal: the whole text; suffix: what follows the "*"
  Shape m_shape = Shape::glob;
  bool m_anchored = false;
  bool m_dir_only = false;
};

class PathPatternSet {
 public:
  PathPatternSet() = default;
  explicit PathPatternSet(const std::vector<std::string>& patterns);
  bool empty() const { return m_patterns.empty(); }
  bool matches(std::string_view path, bool is_dir) const;

 private:
  std::vector<PathPattern> m_patterns;
};

}  // namespace lpack
