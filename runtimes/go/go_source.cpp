// Line-oriented readers for go.mod and .go files. golang.org/x/mod has the real parsers, but
// it is Go, not C++; what the plan needs (the module line, whether anything is required,
// package clauses, //go:embed patterns) is a few lines of text each.
#include "runtimes/go/go_source.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/walk.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::go {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view strip_line_comment(std::string_view line) {
  size_t pos = line.find("//");
  return pos == std::string_view::npos ? line : line.substr(0, pos);
}

// Splits on blanks; a "quoted" or `raw` token keeps its blanks and loses its quotes.
std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    std::string token;
    if (c == '"' || c == '`') {
      ++i;
      while (i < s.size() && s[i] != c) {
        if (c == '"' && s[i] == '\\' && i + 1 < s.size()) ++i;
        token += s[i++];
      }
      ++i;  // the closing quote
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') token += s[i++];
    }
    out.push_back(std::move(token));
  }
  return out;
}

std::string unquote(std::string_view s) {
  auto t = tokens(s);
  return t.empty() ? std::string() : t.front();
}

bool has_word(std::string_view text, std::string_view word) {
  for (size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    bool starts = pos == 0 || !is_ident(text[pos - 1]);
    bool ends = pos + word.size() == text.size() || !is_ident(text[pos + word.size()]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

GoMod parse_go_mod(std::string_view text) {
  GoMod mod;
  std::string block;  // the directive of an open "xxx (" block
  for (auto raw : split_lines(text)) {
    auto line = trim(strip_line_comment(raw));
    if (line.empty()) continue;
    if (!block.empty()) {
      if (line == ")") {
        block.clear();
        continue;
      }
      auto t = tokens(line);
      if (block == "require" && !t.empty()) mod.required.push_back(t[0]);
      if (block == "replace" && !t.empty()) mod.replaces.push_back(t[0]);
      continue;
    }
    auto t = tokens(line);
    if (t.empty()) continue;
    const std::string& verb = t[0];
    if (t.size() >= 2 && t[1] == "(") {
      block = verb;
      continue;
    }
    if (verb == "module" && t.size() >= 2) mod.module = unquote(line.substr(6));
    if (verb == "go" && t.size() >= 2) mod.go_version = t[1];
    if (verb == "require" && t.size() >= 2) mod.required.push_back(t[1]);
    if (verb == "replace" && t.size() >= 2) mod.replaces.push_back(t[1]);
  }
  return mod;
}

std::string go_package_name(std::string_view text) {
  bool in_block_comment = false;
  for (auto raw : split_lines(text)) {
    auto line = trim(raw);
    if (in_block_comment) {
      size_t end = line.find("*/");
      if (end == std::string_view::npos) continue;
      in_block_comment = false;
      line = trim(line.substr(end + 2));
    }
    if (line.empty()) continue;
    if (line.starts_with("//go:build") || line.starts_with("// +build")) {
      // A generator or tool file kept out of every build: not a package of the program.
      if (has_word(line.substr(line.find("build") + 5), "ignore")) return "";
      continue;
    }
    if (line.starts_with("//")) continue;
    if (line.starts_with("/*")) {
      size_t end = line.find("*/", 2);
      if (end == std::string_view::npos) {
        in_block_comment = true;
        continue;
      }
      line = trim(line.substr(end + 2));
      if (line.empty()) continue;
    }
    if (line.starts_with("package ") || line.starts_with("package\t")) {
      auto t = tokens(strip_line_comment(line.substr(8)));
      return t.empty() ? std::string() : t[0];
    }
    return "";  // code before any package clause: not a Go file we understand
  }
  return "";
}

std::vector<std::string> go_embed_patterns(std::string_view text) {
  std::vector<std::string> patterns;
  for (auto raw : split_lines(text)) {
    auto line = trim(raw);
    if (!line.starts_with("//go:embed")) continue;
    for (auto& token : tokens(line.substr(10))) {
      if (token.starts_with("all:")) token.erase(0, 4);
      if (!token.empty()) patterns.push_back(std::move(token));
    }
  }
  return patterns;
}

Result<GoSource> read_go_source(const fs::path& src, const std::vector<std::string>& exclude) {
  GoSource source;
  std::error_code ec;
  if (!fs::exists(src / "go.mod", ec)) {
    return bad_input((src / "go.mod").string() +
                     ": not found; a Go function needs a module: run `go mod init "
                     "example.com/my-function` there");
  }
  auto text = LPACK_TRY(read_file(src / "go.mod"));
  source.mod = parse_go_mod(text);
  if (source.mod.module.empty()) {
    return bad_input(
        (src / "go.mod").string() +
        ": no module line; add one such as `module example.com/my-function` at its top");
  }
  source.vendored = fs::is_regular_file(src / "vendor" / "modules.txt", ec);

  // The folders `go build` ignores, plus the user's and lpack's excludes.
  std::vector<std::string> skip = {"vendor/", "testdata/", ".*/", "_*/", "*_test.go"};
  const auto& common = common_function_excludes();
  skip.insert(skip.end(), common.begin(), common.end());
  skip.insert(skip.end(), exclude.begin(), exclude.end());
  WalkOptions options;
  options.include = PathPatternSet(std::vector<std::string>{"*.go"});
  options.exclude = PathPatternSet(skip);
  auto files = LPACK_TRY(walk_tree(src, options));

  std::set<std::string> main_dirs;
  std::set<std::string> embeds;
  for (const auto& file : files) {
    if (file.is_dir) continue;
    auto content = LPACK_TRY(read_file(file.source));
    size_t slash = file.path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : file.path.substr(0, slash);
    if (go_package_name(content) == "main") main_dirs.insert(dir);
    for (const auto& pattern : go_embed_patterns(content)) {
      std::string anchored = "/" + (dir.empty() ? pattern : dir + "/" + pattern);
      embeds.insert(anchored);
      embeds.insert(anchored + "/**");  // a pattern naming a folder embeds all of it
    }
  }
  source.embed_inputs.assign(embeds.begin(), embeds.end());

  if (main_dirs.count("")) {
    source.main_package = ".";
  } else if (main_dirs.size() == 1) {
    source.main_package = "./" + *main_dirs.begin();
  } else if (main_dirs.empty()) {
    return bad_input(src.string() +
                     ": no Go file declares `package main`; the function needs a main package "
                     "(at the folder's root or in one sub-folder such as cmd/handler)");
  } else {
    std::string list;
    for (const auto& d : main_dirs) list += (list.empty() ? "" : ", ") + d;
    return bad_input(
        src.string() + ": several main packages (" + list +
        ") and none at the root; keep one, or put the function's main package at the root");
  }
  return source;
}

}  // namespace lpack::runtimes::go
