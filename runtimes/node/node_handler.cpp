// A small text scanner rather than a JavaScript parser: lpack links none, the check only
// needs a handful of export forms, and bundles of several megabytes must stay fast (no
// std::regex, whose backtracking is slow and recursive on large inputs).
#include "runtimes/node/node_handler.hpp"

#include <algorithm>
#include <map>

namespace lpack::runtimes::node {
namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Positions where `word` occurs with no identifier character on either side.
std::vector<size_t> find_words(std::string_view text, std::string_view word) {
  std::vector<size_t> hits;
  if (word.empty()) return hits;
  for (size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    size_t end = pos + word.size();
    if (pos > 0 && is_ident_char(text[pos - 1])) continue;
    if (end < text.size() && is_ident_char(text[end])) continue;
    hits.push_back(pos);
  }
  return hits;
}

size_t skip_space(std::string_view text, size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  return pos;
}

// The identifier that ends just before `pos` (skipping blanks and '*' of "function*").
std::string_view word_before(std::string_view text, size_t pos, size_t* start_out) {
  while (pos > 0 && (is_space(text[pos - 1]) || text[pos - 1] == '*')) --pos;
  size_t end = pos;
  while (pos > 0 && is_ident_char(text[pos - 1])) --pos;
  *start_out = pos;
  return text.substr(pos, end - pos);
}

// An assignment follows `pos`: "=" but not "==" / "=>".
bool assignment_at(std::string_view text, size_t pos) {
  pos = skip_space(text, pos);
  return pos < text.size() && text[pos] == '=' &&
         (pos + 1 >= text.size() || (text[pos + 1] != '=' && text[pos + 1] != '>'));
}

// The text between a '{' at `open` and its matching '}' (strings and comments are not
// special: good enough for export lists and object literals of handler modules).
std::string_view braced(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return text.substr(open + 1, i - open - 1);
  }
  return text.substr(open + 1);
}

// exports.NAME = / module.exports.NAME = / exports["NAME"] = / export const|let|var|class
// NAME / export [async] function[*] NAME.
bool declared_export_at(std::string_view text, size_t pos, std::string_view name) {
  size_t end = pos + name.size();
  if (pos >= 8 && text.substr(pos - 8, 8) == "exports.") return assignment_at(text, end);
  if (pos >= 9 && (text[pos - 1] == '"' || text[pos - 1] == '\'') &&
      text.substr(pos - 9, 8) == "exports[" && end + 1 < text.size() &&
      text[end] == text[pos - 1] && text[end + 1] == ']') {
    return assignment_at(text, end + 2);
  }
  size_t start = 0;
  std::string_view w1 = word_before(text, pos, &start);
  size_t start2 = 0;
  std::string_view w2 = word_before(text, start, &start2);
  if (w1 == "const" || w1 == "let" || w1 == "var" || w1 == "class") return w2 == "export";
  if (w1 == "function") {
    if (w2 == "export") return true;
    size_t start3 = 0;
    return w2 == "async" && word_before(text, start2, &start3) == "export";
  }
  return false;
}

// export { a, b as NAME } [from "..."]
bool in_export_list(std::string_view text, std::string_view name) {
  for (size_t pos : find_words(text, "export")) {
    size_t open = skip_space(text, pos + 6);
    if (open >= text.size() || text[open] != '{') continue;
    std::string_view list = braced(text, open);
    size_t item_start = 0;
    while (item_start <= list.size()) {
      size_t comma = list.find(',', item_start);
      if (comma == std::string_view::npos) comma = list.size();
      std::string_view item = list.substr(item_start, comma - item_start);
      // The exported name is the last word of "a" or "a as b".
      size_t e = item.size();
      while (e > 0 && !is_ident_char(item[e - 1])) --e;
      size_t b = e;
      while (b > 0 && is_ident_char(item[b - 1])) --b;
      if (item.substr(b, e - b) == name) return true;
      item_start = comma + 1;
    }
  }
  return false;
}

// module.exports = { ... NAME ... }; sets *opaque when module.exports is assigned anything
// else (a require(), a bundler's __toCommonJS(...)), whose names the text does not show.
bool in_module_exports_object(std::string_view text, std::string_view name, bool* opaque) {
  static constexpr std::string_view k_me = "module.exports";
  for (size_t pos = text.find(k_me); pos != std::string_view::npos;
       pos = text.find(k_me, pos + 1)) {
    size_t after = pos + k_me.size();
    if (!assignment_at(text, after)) continue;
    size_t rhs = skip_space(text, skip_space(text, after) + 1);
    if (rhs < text.size() && text[rhs] == '{') {
      if (!find_words(braced(text, rhs), name).empty()) return true;
    } else {
      *opaque = true;
    }
  }
  return false;
}

}  // namespace

Result<HandlerName> parse_handler(std::string_view handler) {
  size_t slash = handler.rfind('/');
  size_t base = slash == std::string_view::npos ? 0 : slash + 1;
  size_t dot = handler.find('.', base);
  if (dot == std::string_view::npos || dot == base || dot + 1 >= handler.size()) {
    return bad_input("handler \"" + std::string(handler) +
                     "\": expected FILE.FUNCTION, such as \"index.handler\"");
  }
  HandlerName h;
  h.module = std::string(handler.substr(0, dot));
  std::string_view function = handler.substr(dot + 1);
  h.export_name = std::string(function.substr(0, function.find('.')));
  if (h.export_name.empty()) {
    return bad_input("handler \"" + std::string(handler) +
                     "\": expected FILE.FUNCTION, such as \"index.handler\"");
  }
  return h;
}

std::vector<std::string> module_candidates(std::string_view module) {
  std::string m(module);
  return {m + ".js", m + ".mjs", m + ".cjs"};
}

ExportCheck check_export(std::string_view source, std::string_view name) {
  for (size_t pos : find_words(source, name)) {
    if (declared_export_at(source, pos, name)) return ExportCheck::exported;
  }
  if (in_export_list(source, name)) return ExportCheck::exported;
  bool opaque = false;
  if (in_module_exports_object(source, name, &opaque)) return ExportCheck::exported;
  // Forms whose exported names the text does not show: re-exports and bundler helpers.
  static constexpr std::string_view k_opaque[] = {"export *",
                                                  "Object.defineProperty(exports",
                                                  "Object.defineProperty(module.exports",
                                                  "Object.assign(exports",
                                                  "Object.assign(module.exports",
                                                  "__export(",
                                                  "exports["};
  for (auto marker : k_opaque) {
    if (source.find(marker) != std::string_view::npos) opaque = true;
  }
  if (opaque) return ExportCheck::exported;
  if (find_words(source, "exports").empty() && find_words(source, "export").empty()) {
    return ExportCheck::no_exports;
  }
  return ExportCheck::not_mentioned;
}

Result<void> check_node_handler(std::string_view handler, const std::vector<TreeEntry>& files) {
  HandlerName h = LPACK_TRY(parse_handler(handler));
  auto candidates = module_candidates(h.module);
  const TreeEntry* found = nullptr;
  for (const auto& candidate : candidates) {
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const TreeEntry& e) { return !e.is_dir && e.path == candidate; });
    if (it != files.end()) {
      found = &*it;
      break;
    }
  }
  std::string prefix = "handler \"" + std::string(handler) + "\": ";
  if (!found) {
    return bad_input(prefix + "no " + candidates[0] + ", " + candidates[1] + " or " +
                     candidates[2] + " in the function; add it or set `handler` in lpack.toml");
  }
  std::string text = LPACK_TRY(read_file(found->source));
  switch (check_export(text, h.export_name)) {
    case ExportCheck::exported:
      return ok();
    case ExportCheck::no_exports:
      return bad_input(prefix + found->path + " exports nothing; add `exports." + h.export_name +
                       " = async (event) => {...}` (CommonJS) or `export const " + h.export_name +
                       " = ...` (ES module)");
    case ExportCheck::not_mentioned:
      break;
  }
  return bad_input(prefix + found->path + " does not export `" + h.export_name +
                   "`; export it or set `handler` in lpack.toml");
}

}  // namespace lpack::runtimes::node
