// function.json: nlohmann::json parses (keeping the document's key order, so the first
// problem reported is the first in the file), this file checks the keys against the schema
// below and names each problem by its JSON path ($.environment_variables.FOO). JSON itself
// lets a key appear twice and keeps the last; we track keys while parsing and reject that,
// as TOML does, because a silently ignored setting is worse than an error.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "builder/config/config.hpp"
#include "builder/config/config_rules.hpp"

namespace lpack::builder {

namespace {

using namespace config_detail;  // NOLINT: the rules are this file's vocabulary
using Json = nlohmann::ordered_json;

constexpr KeySpec k_keys[] = {
    {"name", &Config::name, rule_function_name},
    {"description", &Config::description, rule_description},
    {"runtime", &Config::runtime, rule_not_empty},
    {"handler", &Config::handler, rule_not_empty},
    {"timeout", &Config::timeout_seconds, nullptr, nullptr, 1, 900},
    {"memory_size", &Config::memory_mb, nullptr, nullptr, 128, 10240},
    {"layers", &Config::layers, rule_layer_arn, nullptr, 0, 0, 5},
    {"environment_variables", &Config::environment, nullptr, rule_environment_name},
    {"tags", &Config::tags, rule_tag_value, rule_tag_key, 0, 0, 50},
    {"architecture", &Config::architecture, rule_architecture},
    {"role", &Config::role_arn, rule_role_arn},
    {"requirements_file", &Config::requirements_file, rule_inner_path},
    {"exclude", &Config::exclude, rule_not_empty},
};
// Lambda's API spelling: a list, though a function has exactly one architecture.
constexpr std::string_view k_architectures = "architectures";

std::string_view type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::binary:
      return "binary";
    case Json::value_t::discarded:
      break;
  }
  return "nothing";
}

std::string got(const Json& value) {
  return " (got " + std::string(type_name(value)) + ")";
}

std::string member_path(std::string_view parent, std::string_view key) {
  std::string name = quote_key_if_needed(key);
  return name.front() == '"' ? std::string(parent) + "[" + name + "]"
                             : std::string(parent) + "." + name;
}

// The first problem found; later ones are ignored.
class Problems {
 public:
  void add(std::string message) {
    if (m_message.empty()) m_message = std::move(message);
  }
  bool empty() const { return m_message.empty(); }
  Error error(std::string_view file_name) const {
    return bad_input(std::string(file_name) + ": " + m_message);
  }

 private:
  std::string m_message;
};

// Remembers the path of the first key that repeats within one object, from the parser's
// events (containers do not get a `value` event; scalars do).
class DuplicateKeys {
 public:
  bool on_event(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        m_frames.push_back({event == Json::parse_event_t::array_start, child_path(), {}, 0, {}});
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!m_frames.empty()) m_frames.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!m_frames.empty() && parsed.is_string()) {
          Frame& frame = m_frames.back();
          frame.pending_key = parsed.get<std::string>();
          if (!frame.keys.insert(frame.pending_key).second && m_first.empty()) {
            m_first = member_path(frame.path, frame.pending_key);
          }
        }
        break;
      case Json::parse_event_t::value:
        if (!m_frames.empty() && m_frames.back().is_array) ++m_frames.back().next_index;
        break;
    }
    return true;  // keep everything
  }
  const std::string& first() const { return m_first; }

 private:
  struct Frame {
    bool is_array = false;
    std::string path;
    std::set<std::string> keys;
    std::size_t next_index = 0;
    std::string pending_key;
  };

  std::string child_path() {
    if (m_frames.empty()) return "$";
    Frame& parent = m_frames.back();
    if (parent.is_array) return parent.path + "[" + std::to_string(parent.next_index++) + "]";
    return member_path(parent.path, parent.pending_key);
  }

  std::vector<Frame> m_frames;
  std::string m_first;
};

// "syntax error while parsing value - invalid literal" from nlohmann's message, without its
// prefix (which repeats the position) and without the "last read" excerpt, which can quote a
// piece of a secret from the file.
std::string syntax_message(std::string_view what) {
  std::string text(what);
  if (std::size_t error_at = text.find("parse error"); error_at != std::string::npos) {
    if (std::size_t colon = text.find(": ", error_at); colon != std::string::npos) {
      text.erase(0, colon + 2);
    }
  }
  if (std::size_t last_read = text.find("; last read: '"); last_read != std::string::npos) {
    // The excerpt is quoted but not escaped, so its end is found from the back: the fixed
    // "; expected ..." part follows it when there is one.
    std::size_t end = text.rfind("'; expected ");
    text.erase(last_read, end != std::string::npos && end > last_read ? end + 1 - last_read
                                                                      : std::string::npos);
  }
  return text;
}

bool read_string(const Json& node, const std::string& path, StringRule rule, std::string& out,
                 Problems& problems) {
  if (!node.is_string()) {
    problems.add(path + " must be a string" + got(node));
    return false;
  }
  std::string value = node.get<std::string>();
  if (rule != nullptr) {
    if (std::string reason = rule(value); !reason.empty()) {
      problems.add(path + " " + reason);
      return false;
    }
  }
  out = std::move(value);
  return true;
}

void read_key(const KeySpec& spec, const Json& node, const std::string& path, Config& config,
              Problems& problems) {
  if (auto* member = std::get_if<std::string Config::*>(&spec.member)) {
    read_string(node, path, spec.rule, config.**member, problems);
  } else if (auto* flag = std::get_if<bool Config::*>(&spec.member)) {
    if (node.is_boolean()) {
      config.** flag = node.get<bool>();
    } else {
      problems.add(path + " must be a boolean" + got(node));
    }
  } else if (auto* number = std::get_if<int Config::*>(&spec.member)) {
    if (node.is_number_unsigned() &&
        node.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      problems.add(path + " must be between " + std::to_string(spec.min) + " and " +
                   std::to_string(spec.max) + " (got " + std::to_string(node.get<uint64_t>()) +
                   ")");
    } else if (node.is_number_integer()) {
      int64_t value = node.get<int64_t>();
      if (std::string reason = check_integer(spec, value); !reason.empty()) {
        problems.add(path + " " + reason);
      } else {
        config.** number = static_cast<int>(value);
      }
    } else {
      problems.add(path + " must be an integer" + got(node));
    }
  } else if (auto* list = std::get_if<std::vector<std::string> Config::*>(&spec.member)) {
    if (!node.is_array()) {
      problems.add(path + " must be an array of strings" + got(node));
      return;
    }
    if (std::string reason = check_count(spec, node.size()); !reason.empty()) {
      problems.add(path + " " + reason);
    }
    std::vector<std::string> values(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      read_string(node[i], path + "[" + std::to_string(i) + "]", spec.rule, values[i], problems);
    }
    config.** list = std::move(values);
  } else if (auto* map = std::get_if<std::map<std::string, std::string> Config::*>(&spec.member)) {
    if (!node.is_object()) {
      problems.add(path + " must be an object of strings" + got(node));
      return;
    }
    if (std::string reason = check_count(spec, node.size()); !reason.empty()) {
      problems.add(path + " " + reason);
    }
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : node.items()) {
      std::string name = key;
      std::string entry = member_path(path, name);
      if (spec.key_rule != nullptr) {
        if (std::string reason = spec.key_rule(name); !reason.empty()) {
          problems.add(entry.append(" ").append(reason));
          continue;
        }
      }
      read_string(value, entry, spec.rule, values[name], problems);
    }
    config.** map = std::move(values);
  }
}

void read_architectures(const Json& node, Config& config, Problems& problems) {
  std::string path = "$." + std::string(k_architectures);
  if (!node.is_array()) {
    problems.add(path + " must be an array of strings" + got(node));
    return;
  }
  if (node.size() != 1) {
    problems.add(path + " must hold exactly one architecture, as Lambda allows (got " +
                 std::to_string(node.size()) + ")");
    return;
  }
  read_string(node[0], path + "[0]", rule_architecture, config.architecture, problems);
}

std::string unknown_key_message(const std::string& key) {
  std::string message = "unknown key " + member_path("$", key);
  std::vector<std::string_view> names;
  for (const KeySpec& spec : k_keys) names.push_back(spec.name);
  names.push_back(k_architectures);
  // Lambda's API calls the name FunctionName; the rest of its spellings fold onto ours.
  if (key == "FunctionName" || key == "function_name") {
    return message + "; did you mean \"name\"?";
  }
  if (auto close = suggest(key, names)) message += "; did you mean " + in_quotes(*close) + "?";
  return message;
}

}  // namespace

Result<Config> parse_function_json(std::string_view text, std::string_view file_name) {
  DuplicateKeys duplicates;
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(),
                      [&duplicates](int /*depth*/, Json::parse_event_t event, Json& parsed) {
                        return duplicates.on_event(event, parsed);
                      });
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based index of the last byte read; its line is one more than the
    // newlines before it.
    std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    std::size_t line = 1 + static_cast<std::size_t>(std::count(
                               text.begin(), text.begin() + static_cast<long>(end), '\n'));
    return bad_input(std::string(file_name) + ":" + std::to_string(line) + ": " +
                     syntax_message(e.what()));
  } catch (const Json::exception& e) {
    return bad_input(std::string(file_name) + ": " + syntax_message(e.what()));
  }
  if (!duplicates.first().empty()) {
    return bad_input(std::string(file_name) + ": duplicate key " + duplicates.first() +
                     "; keep one");
  }
  if (!doc.is_object()) {
    return bad_input(std::string(file_name) + ": $ must be an object" + got(doc));
  }

  Config config;
  config.origin = "function.json";
  Problems problems;
  if (doc.contains("architecture") && doc.contains(k_architectures)) {
    problems.add("$.architecture and $.architectures are both set; keep one");
  }
  for (const auto& [key, value] : doc.items()) {
    if (const KeySpec* spec = find_key(k_keys, key)) {
      read_key(*spec, value, member_path("$", key), config, problems);
    } else if (key == k_architectures) {
      read_architectures(value, config, problems);
    } else {
      problems.add(unknown_key_message(key));
    }
  }
  if (!problems.empty()) return problems.error(file_name);
  return config;
}

}  // namespace lpack::builder
