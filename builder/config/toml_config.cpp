// lpack.toml: toml++ parses, this file walks the tables against the schema below. Every
// problem is collected with its position and the earliest one is reported, so the user fixes
// the file from the top, as a compiler's first error would have them do.
#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "builder/config/config.hpp"
#include "builder/config/config_rules.hpp"

namespace lpack::builder {

namespace {

using namespace config_detail;  // NOLINT: the rules are this file's vocabulary

constexpr KeySpec k_metadata[] = {
    {"name", &Config::name, rule_function_name},
    {"runtime", &Config::runtime, rule_not_empty},
    {"handler", &Config::handler, rule_not_empty},
    {"description", &Config::description, rule_description},
};
constexpr KeySpec k_build[] = {
    {"source_path", &Config::source_path, rule_relative_path},
    {"layer_auto", &Config::layer_auto},
    {"requirements_file", &Config::requirements_file, rule_inner_path},
    {"exclude", &Config::exclude, rule_not_empty},
};
constexpr KeySpec k_function[] = {
    {"memory_mb", &Config::memory_mb, nullptr, nullptr, 128, 10240},
    {"timeout_seconds", &Config::timeout_seconds, nullptr, nullptr, 1, 900},
    {"environment", &Config::environment, nullptr, rule_environment_name},
    {"layers", &Config::layers, rule_layer_arn, nullptr, 0, 0, 5},
    {"tags", &Config::tags, rule_tag_value, rule_tag_key, 0, 0, 50},
};
constexpr KeySpec k_deployment[] = {
    {"architecture", &Config::architecture, rule_architecture},
    {"function_url", &Config::function_url},
    {"cors_enabled", &Config::cors_enabled},
    {"auth_type", &Config::auth_type, rule_auth_type},
};
constexpr KeySpec k_iam[] = {
    {"role_arn", &Config::role_arn, rule_role_arn},
    {"policies", &Config::policies, rule_policy_arn},
};
constexpr KeySpec k_layer[] = {
    {"name", &Config::layer_name, rule_layer_name},
    {"description", &Config::layer_description, rule_description},
    {"compatible_runtimes", &Config::compatible_runtimes, rule_not_empty, nullptr, 0, 0, 15},
};
constexpr KeySpec k_python[] = {
    {"interpreter", &Config::python_interpreter, rule_not_empty},
    {"index_url", &Config::python_index_url, rule_index_url},
    {"extra_index_urls", &Config::python_extra_index_urls, rule_index_url},
    {"find_links", &Config::python_find_links, rule_not_empty},
    {"no_index", &Config::python_no_index},
};
constexpr KeySpec k_node[] = {
    {"build_script", &Config::node_build_script, rule_not_empty},
    {"output_dir", &Config::node_output_dir, rule_inner_path},
};

struct Section {
  std::string_view name;
  std::span<const KeySpec> keys;
};

constexpr Section k_sections[] = {
    {"metadata", k_metadata},     {"build", k_build}, {"function", k_function},
    {"deployment", k_deployment}, {"iam", k_iam},     {"layer", k_layer},
    {"python", k_python},         {"node", k_node},
};

const Section* find_section(std::string_view name) {
  for (const Section& section : k_sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string got(const toml::node& node) {
  return " (got " + std::string(type_name(node)) + ")";
}

// Collects problems and keeps the earliest in the file.
class Problems {
 public:
  void add(const toml::source_region& where, std::string message) {
    toml::source_position at = where.begin;
    if (m_message.empty() || at.line < m_at.line ||
        (at.line == m_at.line && at.column < m_at.column)) {
      m_at = at;
      m_message = std::move(message);
    }
  }
  bool empty() const { return m_message.empty(); }
  Error error(std::string_view file_name) const {
    return bad_input(std::string(file_name) + ":" + std::to_string(m_at.line) + ": " + m_message);
  }

 private:
  toml::source_position m_at{};
  std::string m_message;
};

// A key's own position, else its value's (a key made by a dotted name can lack one).
const toml::source_region& position(const toml::key& key, const toml::node& value) {
  return key.source().begin.line != 0 ? key.source() : value.source();
}

// Reads a string node into `out`, applying `rule`; false (with a problem) when it is not one.
bool read_string(const toml::node& node, const std::string& where, StringRule rule,
                 std::string& out, Problems& problems) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    problems.add(node.source(), where + " must be a string" + got(node));
    return false;
  }
  std::string value = text->get();
  if (rule != nullptr) {
    if (std::string reason = rule(value); !reason.empty()) {
      problems.add(node.source(), where + " " + reason);
      return false;
    }
  }
  out = std::move(value);
  return true;
}

void read_key(const KeySpec& spec, const toml::node& node, const std::string& where, Config& config,
              Problems& problems) {
  if (auto* member = std::get_if<std::string Config::*>(&spec.member)) {
    read_string(node, where, spec.rule, config.**member, problems);
  } else if (auto* flag = std::get_if<bool Config::*>(&spec.member)) {
    if (const auto* value = node.as_boolean()) {
      config.** flag = value->get();
    } else {
      problems.add(node.source(), where + " must be a boolean" + got(node));
    }
  } else if (auto* number = std::get_if<int Config::*>(&spec.member)) {
    if (const auto* value = node.as_integer()) {
      if (std::string reason = check_integer(spec, value->get()); !reason.empty()) {
        problems.add(node.source(), where + " " + reason);
      } else {
        config.** number = static_cast<int>(value->get());
      }
    } else {
      problems.add(node.source(), where + " must be an integer" + got(node));
    }
  } else if (auto* list = std::get_if<std::vector<std::string> Config::*>(&spec.member)) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      problems.add(node.source(), where + " must be an array of strings" + got(node));
      return;
    }
    if (std::string reason = check_count(spec, array->size()); !reason.empty()) {
      problems.add(node.source(), where + " " + reason);
    }
    std::vector<std::string> values(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      read_string((*array)[i], where + "[" + std::to_string(i) + "]", spec.rule, values[i],
                  problems);
    }
    config.** list = std::move(values);
  } else if (auto* map = std::get_if<std::map<std::string, std::string> Config::*>(&spec.member)) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      problems.add(node.source(), where + " must be a table of strings" + got(node));
      return;
    }
    if (std::string reason = check_count(spec, table->size()); !reason.empty()) {
      problems.add(node.source(), where + " " + reason);
    }
    std::map<std::string, std::string> values;
    for (auto&& [key, value] : *table) {
      std::string name(key.str());
      std::string entry = where + "." + quote_key_if_needed(name);
      if (spec.key_rule != nullptr) {
        if (std::string reason = spec.key_rule(name); !reason.empty()) {
          problems.add(position(key, value), entry.append(" ").append(reason));
          continue;
        }
      }
      read_string(value, entry, spec.rule, values[name], problems);
    }
    config.** map = std::move(values);
  }
}

std::vector<std::string_view> names_of(std::span<const KeySpec> keys) {
  std::vector<std::string_view> names;
  for (const KeySpec& spec : keys) names.push_back(spec.name);
  return names;
}

std::string known_sections() {
  std::string list;
  for (const Section& section : k_sections) {
    list += (list.empty() ? "[" : ", [") + std::string(section.name) + "]";
  }
  return list;
}

// The section other than `except` that has a key called `name`, or null.
const Section* section_with_key(std::string_view name, const Section* except) {
  for (const Section& section : k_sections) {
    if (&section != except && find_key(section.keys, name) != nullptr) return &section;
  }
  return nullptr;
}

void read_section(const Section& section, const toml::table& table, Config& config,
                  Problems& problems) {
  for (auto&& [key, value] : table) {
    std::string where = "[" + std::string(section.name) + "] " + quote_key_if_needed(key.str());
    if (const KeySpec* spec = find_key(section.keys, key.str())) {
      read_key(*spec, value, where, config, problems);
      continue;
    }
    std::string message =
        "unknown key " + in_quotes(key.str()) + " in [" + std::string(section.name) + "]";
    std::vector<std::string_view> names = names_of(section.keys);
    if (auto close = suggest(key.str(), names)) {
      message += "; did you mean " + in_quotes(*close) + "?";
    } else if (const Section* other = section_with_key(key.str(), &section)) {
      message += "; it belongs in [" + std::string(other->name) + "]";
    }
    problems.add(position(key, value), message);
  }
}

void read_root(const toml::table& root, Config& config, Problems& problems) {
  std::vector<std::string_view> section_names;
  for (const Section& section : k_sections) section_names.push_back(section.name);

  for (auto&& [key, value] : root) {
    const Section* section = find_section(key.str());
    if (section != nullptr) {
      if (const auto* table = value.as_table()) {
        read_section(*section, *table, config, problems);
      } else {
        problems.add(position(key, value), std::string(section->name) + " must be a table, a [" +
                                               std::string(section->name) + "] section" +
                                               got(value));
      }
      continue;
    }
    if (!value.is_table()) {
      // A key above every section header: say which section it belongs in, if any.
      std::string message = "key " + in_quotes(key.str()) + " must be inside a section";
      if (const Section* home = section_with_key(key.str(), nullptr)) {
        message += "; put it under [" + std::string(home->name) + "]";
      } else {
        message += "; the sections are " + known_sections();
      }
      problems.add(position(key, value), message);
      continue;
    }
    std::string message = "unknown section [" + std::string(key.str()) + "]";
    if (auto close = suggest(key.str(), section_names)) {
      message += "; did you mean [" + std::string(*close) + "]?";
    } else {
      message += "; the sections are " + known_sections();
    }
    problems.add(position(key, value), message);
  }
}

}  // namespace

Result<Config> parse_lpack_toml(std::string_view text, std::string_view file_name) {
  toml::table root;
#if TOML_EXCEPTIONS
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return bad_input(std::string(file_name) + ":" + std::to_string(e.source().begin.line) + ": " +
                     std::string(e.description()));
  }
#else
  toml::parse_result parsed = toml::parse(text, file_name);
  if (!parsed) {
    const toml::parse_error& e = parsed.error();
    return bad_input(std::string(file_name) + ":" + std::to_string(e.source().begin.line) + ": " +
                     std::string(e.description()));
  }
  root = std::move(parsed).table();
#endif

  Config config;
  config.origin = "lpack.toml";
  Problems problems;
  read_root(root, config, problems);
  if (!problems.empty()) return problems.error(file_name);
  return config;
}

}  // namespace lpack::builder
