#include "runtimes/python/handler_check.hpp"

#include <algorithm>
#include <regex>

namespace lpack::runtimes::python {
namespace {

constexpr std::string_view k_fix = "fix [metadata] handler in lpack.toml";

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// The names an import statement's body binds: "a, b as c" -> {a, c}; "x.y" -> {x}.
std::vector<std::string> bound_names(std::string_view list, bool from_import) {
  std::vector<std::string> names;
  std::string cleaned;
  for (char c : list) {
    if (c != '(' && c != ')' && c != '\\') cleaned += c;
  }
  size_t pos = 0;
  while (pos <= cleaned.size()) {
    size_t comma = std::min(cleaned.find(',', pos), cleaned.size());
    std::string item = trim(std::string_view(cleaned).substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    static const std::regex k_as(R"(^(\S+)\s+as\s+(\S+)$)");
    std::smatch m;
    if (std::regex_match(item, m, k_as)) {
      names.push_back(m[2]);
    } else if (from_import) {
      names.push_back(item);
    } else {
      names.push_back(item.substr(0, item.find('.')));
    }
  }
  return names;
}

}  // namespace

Result<HandlerParts> split_handler(std::string_view handler) {
  size_t dot = handler.rfind('.');
  std::string module(handler.substr(0, dot == std::string_view::npos ? 0 : dot));
  std::replace(module.begin(), module.end(), '/', '.');
  std::string function(dot == std::string_view::npos ? "" : handler.substr(dot + 1));
  bool segments_ok = !module.empty() && module.front() != '.' && module.back() != '.' &&
                     module.find("..") == std::string::npos;
  if (!segments_ok || !is_identifier(function)) {
    return bad_input("handler \"" + std::string(handler) +
                     "\" is not module.function (e.g. app.lambda_handler); " + std::string(k_fix));
  }
  return HandlerParts{module, function};
}

std::vector<std::string> module_files(std::string_view module) {
  std::string path(module);
  std::replace(path.begin(), path.end(), '.', '/');
  return {path + ".py", path + "/__init__.py"};
}

bool python_defines(std::string_view text, std::string_view name) {
  const std::string n(name);
  const std::regex definition(R"(^\s*(async\s+def|def|class)\s+)" + n + R"(\s*[\(\[:])");
  const std::regex assignment(R"(^\s*)" + n + R"(\s*(:[^=]*)?=([^=]|$))");
  static const std::regex k_from(R"(^\s*from\s+\S+\s+import\s+(.*)$)");
  static const std::regex k_import(R"(^\s*import\s+(.*)$)");

  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = std::min(text.find('\n', pos), text.size());
    std::string line(text.substr(pos, nl - pos));
    size_t hash = line.find('#');  // a "#" inside a string only costs a missed binding
    if (hash != std::string::npos) line.resize(hash);
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (std::regex_search(line, definition) || std::regex_search(line, assignment)) return true;
    std::smatch m;
    bool from = std::regex_match(line, m, k_from);
    if (!from && !std::regex_match(line, m, k_import)) continue;
    std::string body = m[1];
    // Parenthesised or backslash-continued imports span lines.
    bool open_paren = body.find('(') != std::string::npos && body.find(')') == std::string::npos;
    while (i + 1 < lines.size() &&
           (open_paren || (!trim(body).empty() && trim(body).back() == '\\'))) {
      body += " " + lines[++i];
      if (lines[i].find(')') != std::string::npos) open_paren = false;
    }
    body = body.substr(0, body.find(';'));
    for (const auto& bound : bound_names(body, from)) {
      if (bound == name || (from && bound == "*")) return true;
    }
  }
  return false;
}

Result<void> check_python_handler(std::string_view handler, const std::vector<TreeEntry>& files) {
  HandlerParts parts = LPACK_TRY(split_handler(handler));
  const std::string prefix = "handler \"" + std::string(handler) + "\": ";
  std::vector<std::string> candidates = module_files(parts.module);
  for (const auto& candidate : candidates) {
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const TreeEntry& e) { return !e.is_dir && e.path == candidate; });
    if (it == files.end()) continue;
    std::string text = LPACK_TRY_CTX(read_file(it->source), prefix + candidate);
    if (python_defines(text, parts.function)) return ok();
    return bad_input(prefix + candidate + " does not define " + parts.function + "; " +
                     std::string(k_fix));
  }
  return bad_input(prefix + candidates.front() + " not found in the function; " +
                   std::string(k_fix));
}

}  // namespace lpack::runtimes::python
