#include "cache/action_key.hpp"

#include <algorithm>
#include <map>

#include "base/sha256.hpp"

namespace lpack::cache {

ActionKey::ActionKey() : m_text("lpack-action-key 1\n") {}

void ActionKey::append_escaped(std::string_view value) {
  // One field per line: a newline inside a value would forge another field. Escaped rather
  // than replaced, so that two different values never share a canonical text.
  if (value.find_first_of("\\\n") == std::string_view::npos) {
    m_text += value;
    return;
  }
  for (char c : value) {
    if (c == '\\') {
      m_text += "\\\\";
    } else if (c == '\n') {
      m_text += "\\n";
    } else {
      m_text += c;
    }
  }
}

void ActionKey::add(std::string_view tag, std::string_view value) {
  m_hex.clear();
  m_text += tag;
  m_text += ' ';
  append_escaped(value);
  m_text += '\n';
}

void ActionKey::add_inputs(const std::vector<FileDigest>& inputs) {
  std::vector<const FileDigest*> sorted;
  sorted.reserve(inputs.size());
  for (const auto& d : inputs) sorted.push_back(&d);
  auto by_path = [](const FileDigest* a, const FileDigest* b) { return a->path < b->path; };
  // Hashes of a walk come sorted already; checking is linear, sorting is not.
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_path))
    std::sort(sorted.begin(), sorted.end(), by_path);
  m_hex.clear();
  m_text.reserve(m_text.size() + sorted.size() * 96);
  for (const auto* d : sorted) {
    // "input " mode " " hash " " path, as add("input", ...) would write it.
    m_text += d->executable ? "input 755 " : "input 644 ";
    append_hex(m_text, d->hash);
    m_text += ' ';
    append_escaped(d->path);
    m_text += '\n';
  }
}

const std::string& ActionKey::hex() const {
  if (m_hex.empty()) m_hex = lpack::to_hex(sha256(m_text));
  return m_hex;
}

namespace {

struct ParsedKey {
  std::multimap<std::string, std::string> fields;  // tag -> value, inputs excluded
  std::map<std::string, std::string> inputs;       // path -> "mode hash"
};

ParsedKey parse(std::string_view text) {
  ParsedKey parsed;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string tag(line.substr(0, space));
    std::string value(line.substr(space + 1));
    if (tag == "input") {
      // "mode hash path"
      size_t s1 = value.find(' ');
      size_t s2 = value.find(' ', s1 + 1);
      if (s1 == std::string::npos || s2 == std::string::npos) continue;
      parsed.inputs[value.substr(s2 + 1)] = value.substr(0, s2);
    } else {
      parsed.fields.emplace(tag, value);
    }
  }
  return parsed;
}

}  // namespace

std::vector<std::string> explain_difference(std::string_view before, std::string_view after) {
  if (before == after) return {};  // the usual case, without parsing two large texts
  ParsedKey a = parse(before);
  ParsedKey b = parse(after);
  std::vector<std::string> out;
  // Tags present on both sides with one value each read best as "tag: old -> new".
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by_tag;
  for (const auto& [tag, value] : a.fields) by_tag[tag].first.push_back(value);
  for (const auto& [tag, value] : b.fields) by_tag[tag].second.push_back(value);
  for (const auto& [tag, values] : by_tag) {
    const auto& [old_values, new_values] = values;
    if (old_values == new_values) continue;
    if (old_values.size() == 1 && new_values.size() == 1) {
      out.push_back(tag + ": " + old_values[0] + " -> " + new_values[0]);
      continue;
    }
    for (const auto& v : old_values) {
      if (std::find(new_values.begin(), new_values.end(), v) == new_values.end()) {
        out.push_back(tag + " removed: " + v);
      }
    }
    for (const auto& v : new_values) {
      if (std::find(old_values.begin(), old_values.end(), v) == old_values.end()) {
        out.push_back(tag + " added: " + v);
      }
    }
  }
  for (const auto& [path, id] : a.inputs) {
    auto it = b.inputs.find(path);
    if (it == b.inputs.end()) {
      out.push_back("input removed: " + path);
    } else if (it->second != id) {
      bool mode_changed = it->second.substr(0, 3) != id.substr(0, 3);
      out.push_back("input " + path + (mode_changed ? ": mode changed" : ": content changed"));
    }
  }
  for (const auto& [path, id] : b.inputs) {
    if (!a.inputs.count(path)) out.push_back("input added: " + path);
  }
  return out;
}

}  // namespace lpack::cache
