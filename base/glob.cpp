#include "base/glob.hpp"

namespace lpack {
namespace {

// Matches one bracket expression at the start of `p` against character c; sets `consumed`.
bool match_class(std::string_view p, char c, size_t& consumed) {
  size_t i = 1;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  bool matched = false;
  bool first = true;
  while (i < p.size() && (first || p[i] != ']')) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      i += 2;
    }
    if (lo <= c && c <= hi) matched = true;
    ++i;
  }
  if (i >= p.size()) {  // no closing bracket: a literal '['
    consumed = 1;
    return c == '[';
  }
  consumed = i + 1;
  return matched != negate;
}

bool match_from(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      std::string_view rest = p.substr(2);
      if (rest.empty()) return true;
      if (rest[0] == '/') {
        rest.remove_prefix(1);
        if (match_from(rest, s)) return true;
        for (size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '/' && match_from(rest, s.substr(i + 1))) return true;
        }
        return false;
      }
      for (size_t i = 0; i <= s.size(); ++i) {
        if (match_from(rest, s.substr(i))) return true;
      }
      return false;
    }
    char c = p[0];
    if (c == '*') {
      std::string_view rest = p.substr(1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (match_from(rest, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/') return false;
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      if (s[0] == '/') return false;
      p.remove_prefix(1);
    } else if (c == '[') {
      size_t consumed = 0;
      if (s[0] == '/' || !match_class(p, s[0], consumed)) return false;
      p.remove_prefix(consumed);
    } else {
      if (c == '\\' && p.size() > 1) {
        p.remove_prefix(1);
        c = p[0];
      }
      if (s[0] != c) return false;
      p.remove_prefix(1);
    }
    s.remove_prefix(1);
  }
  return s.empty();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return match_from(pattern, text);
}

PathPattern::PathPattern(std::string_view pattern) : m_text(pattern) {
  std::string_view p = pattern;
  if (!p.empty() && p.back() == '/') {
    m_dir_only = true;
    p.remove_suffix(1);
  }
  if (!p.empty() && p.front() == '/') {
    m_anchored = true;
    p.remove_prefix(1);
  }
  if (p.find('/') != std::string_view::npos) m_anchored = true;
  m_glob = std::string(p);
  constexpr std::string_view k_special = "*?[\\";
  if (p.find_first_of(k_special) == std::string_view::npos) {
    m_shape = Shape::literal;
    m_plain = m_glob;
  } else if (!m_anchored && p.size() > 1 && p[0] == '*' &&
             p.substr(1).find_first_of(k_special) == std::string_view::npos) {
    m_shape = Shape::suffix;
    m_plain = std::string(p.substr(1));
  }
}

namespace {

std::string_view last_component(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool PathPattern::matches(std::string_view path, bool is_dir) const {
  return matches(path, last_component(path), is_dir);
}

bool PathPattern::matches(std::string_view path, std::string_view name, bool is_dir) const {
  if (m_dir_only && !is_dir) return false;
  std::string_view text = m_anchored ? path : name;
  switch (m_shape) {
    case Shape::literal:
      return text == m_plain;
    case Shape::suffix:
      return text.size() >= m_plain.size() && text.substr(text.size() - m_plain.size()) == m_plain;
    case Shape::glob:
      break;
  }
  return glob_match(m_glob, text);
}

PathPatternSet::PathPatternSet(const std::vector<std::string>& patterns) {
  m_patterns.reserve(patterns.size());
  for (const auto& p : patterns) m_patterns.emplace_back(p);
}

bool PathPatternSet::matches(std::string_view path, bool is_dir) const {
  std::string_view name = last_component(path);
  for (const auto& p : m_patterns) {
    if (p.matches(path, name, is_dir)) return true;
  }
  return false;
}

}  // namespace lpack
