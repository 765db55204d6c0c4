#include "runtimes/python/requirements.hpp"

#include <algorithm>
#include <set>

namespace lpack::runtimes::python {
namespace {

constexpr std::string_view k_whitespace = " \t\r\f\v";
constexpr std::string_view k_layer_needs_packages =
    "a layer installs published packages only: publish it to an index or a --find-links "
    "folder and pin it by name, or move the code into the function";

std::string_view trim(std::string_view s) {
  size_t begin = s.find_first_not_of(k_whitespace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(k_whitespace);
  return s.substr(begin, end - begin + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// pip's COMMENT_RE: "#" at the start or after whitespace, to the end of the line.
std::string_view strip_comment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

struct LogicalLine {
  int number = 0;
  std::string text;
};

// Joins "\"-continued lines and strips comments, as pip does before parsing.
std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> lines;
  std::string pending;
  int pending_start = 0;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    if (nl == std::string_view::npos && raw.empty()) break;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (pending.empty()) pending_start = number;
    // A comment line inside a continuation ends it, like pip's join_lines.
    bool is_comment = starts_with(trim(raw), "#");
    if (!is_comment && !raw.empty() && raw.back() == '\\') {
      pending.append(raw.substr(0, raw.size() - 1));
      pending += ' ';
    } else {
      if (!is_comment) pending.append(raw);
      std::string_view joined = trim(strip_comment(pending));
      if (!joined.empty()) lines.push_back({pending_start, std::string(joined)});
      pending.clear();
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  std::string_view rest = trim(strip_comment(pending));
  if (!rest.empty()) lines.push_back({pending_start, std::string(rest)});
  return lines;
}

// A requirement's description when it is something a layer cannot install, else "".
std::string unusable_requirement(std::string_view requirement) {
  std::string_view first = requirement.substr(0, requirement.find_first_of(" \t;"));
  if (starts_with(first, ".") || starts_with(first, "/") || starts_with(first, "~")) {
    return "local path requirement";
  }
  if (starts_with(first, "file:")) return "local file URL";
  static const std::vector<std::string_view> k_vcs = {"git+", "hg+", "svn+", "bzr+"};
  size_t at = requirement.find('@');
  std::string_view url = first;
  if (at != std::string_view::npos) url = trim(requirement.substr(at + 1));
  for (auto vcs : k_vcs) {
    if (starts_with(url, vcs)) return "VCS requirement (it must be built from source)";
  }
  if (at != std::string_view::npos && starts_with(url, "file:")) return "local file URL";
  if (first.find("://") == std::string_view::npos &&
      (ends_with(first, ".whl") || ends_with(first, ".tar.gz") || ends_with(first, ".zip"))) {
    return "local archive requirement";
  }
  return "";
}

// The value of an option given as "-r x", "-rx", "--requirement x" or "--requirement=x";
// `words` starts at the option. Advances `i` past what it consumed. nullopt when `word`
// is not this option.
struct OptionValue {
  bool matched = false;
  std::optional<std::string> value;  // nullopt: the option has no value
};

OptionValue take_option(const std::vector<std::string>& words, size_t& i, std::string_view shrt,
                        std::string_view lng) {
  const std::string& word = words[i];
  auto next = [&]() -> std::optional<std::string> {
    if (i + 1 < words.size()) return words[++i];
    return std::nullopt;
  };
  if (word == shrt || word == lng) return {true, next()};
  if (starts_with(word, std::string(lng) + "=")) return {true, word.substr(lng.size() + 1)};
  if (!shrt.empty() && starts_with(word, shrt) && !starts_with(word, "--")) {
    return {true, word.substr(shrt.size())};
  }
  return {};
}

class Parser {
 public:
  explicit Parser(const RequirementsReader& read) : m_read(read) {}

  // Parses one file's text; errors come back complete, "file:line: ...".
  Result<void> parse_file(const std::string& file, std::string_view text, bool constraints) {
    m_seen.insert({file, constraints});
    if (std::find(m_set.files.begin(), m_set.files.end(), file) == m_set.files.end()) {
      m_set.files.push_back(file);
    }
    m_stack.push_back(file);
    for (const auto& line : logical_lines(text)) {
      LPACK_TRY(parse_line(file, line, constraints));
    }
    m_stack.pop_back();
    return ok();
  }

  RequirementsSet take() { return std::move(m_set); }

 private:
  Result<void> parse_line(const std::string& file, const LogicalLine& line, bool constraints) {
    const std::string where = file + ":" + std::to_string(line.number) + ": ";
    RequirementLine entry{file, line.number, line.text};
    if (line.text[0] != '-') {
      std::string why = unusable_requirement(line.text);
      if (!why.empty()) {
        std::string_view req = line.text;
        req = trim(req.substr(0, req.find(" -")));
        return bad_input(where + std::string(req) + ": " + why + " cannot go into a layer; " +
                         std::string(k_layer_needs_packages));
      }
      (constraints ? m_set.constraints : m_set.requirements).push_back(std::move(entry));
      return ok();
    }
    std::vector<std::string> words = split_words(line.text);
    bool other_options = false;
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string word = words[i];
      OptionValue include = take_option(words, i, "-r", "--requirement");
      bool is_constraint = false;
      if (!include.matched) {
        include = take_option(words, i, "-c", "--constraint");
        is_constraint = include.matched;
      }
      if (include.matched) {
        if (!include.value || include.value->empty()) {
          return bad_input(where + word + " needs a file name");
        }
        const std::string shown = (is_constraint ? "-c " : "-r ") + *include.value + ": ";
        LPACK_TRY(include_file(where + shown, file, *include.value, constraints || is_constraint));
        continue;
      }
      OptionValue editable = take_option(words, i, "-e", "--editable");
      if (editable.matched) {
        return bad_input(where + "-e " + editable.value.value_or("") +
                         ": editable requirements cannot go into a layer; " +
                         std::string(k_layer_needs_packages));
      }
      other_options = true;
    }
    if (other_options) m_set.options.push_back(std::move(entry));
    return ok();
  }

  // `where` is "requirements.txt:3: -r other.txt: ", the prefix of this include's errors.
  Result<void> include_file(const std::string& where, const std::string& from,
                            const std::string& name, bool constraints) {
    if (name.find("://") != std::string::npos) {
      return bad_input(where + "requirements files must be in the source folder, not at a URL");
    }
    fs::path relative = fs::path(name);
    if (relative.is_absolute()) {
      return bad_input(where + "includes must be relative paths inside the source folder");
    }
    relative = (fs::path(from).parent_path() / relative).lexically_normal();
    std::string rel = relative.generic_string();
    if (rel.empty() || rel == "." || rel == ".." || starts_with(rel, "../")) {
      return bad_input(where + "the file is outside the source folder; move it inside");
    }
    if (std::find(m_stack.begin(), m_stack.end(), rel) != m_stack.end()) {
      return bad_input(where + "include cycle (" + rel +
                       " is already being read); remove one of the includes");
    }
    if (m_seen.count({rel, constraints})) return ok();
    auto text = m_read(rel);
    if (!text) return Error(text.error().code(), where + text.error().message());
    if (!*text) {
      return bad_input(where + (rel == name ? "file not found" : "file not found (" + rel + ")"));
    }
    return parse_file(rel, **text, constraints);
  }

  const RequirementsReader& m_read;
  RequirementsSet m_set;
  std::set<std::pair<std::string, bool>> m_seen;  // (file, read as constraints)
  std::vector<std::string> m_stack;
};

}  // namespace

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < text.size() &&
                 (text[i + 1] == '"' || text[i + 1] == '\\')) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (k_whitespace.find(c) != std::string_view::npos || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<RequirementsSet> parse_requirements(std::string_view file, const RequirementsReader& read) {
  const std::string top = fs::path(file).lexically_normal().generic_string();
  std::optional<std::string> text = LPACK_TRY(read(top));
  if (!text) return bad_input(top + ": file not found");
  Parser parser(read);
  LPACK_TRY(parser.parse_file(top, *text, false));
  return parser.take();
}

Result<RequirementsSet> parse_requirements_in(const fs::path& src, std::string_view file) {
  std::error_code ec;
  fs::path root = fs::canonical(src, ec);
  if (ec) return io_error(src.string() + ": " + ec.message());
  RequirementsReader read = [&](const std::string& relative) -> Result<std::optional<std::string>> {
    fs::path path = root / relative;
    std::error_code exists_ec;
    if (!fs::exists(path, exists_ec)) return std::optional<std::string>();
    fs::path real = fs::canonical(path, exists_ec);
    if (exists_ec) return io_error(path.string() + ": " + exists_ec.message());
    fs::path inside = real.lexically_relative(root);
    if (inside.empty() || *inside.begin() == "..") {
      return bad_input(relative + " is a symlink to " + real.string() +
                       ", outside the source folder; copy the file in instead");
    }
    if (fs::is_directory(real, exists_ec)) return bad_input(relative + " is a folder, not a file");
    return std::optional<std::string>(LPACK_TRY(read_file(path)));
  };
  return parse_requirements(file, read);
}

}  // namespace lpack::runtimes::python
