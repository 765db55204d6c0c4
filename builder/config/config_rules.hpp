// Internal to builder/config: what both configuration formats share — the value rules (ranges,
// names, ARNs, paths), the description of a key (which Config member it fills and how it is
// checked) and the "did you mean" suggestions. The TOML and JSON readers only turn their
// format's nodes into typed values with a location; every judgement about a value lives here,
// so lpack.toml and function.json accept exactly the same values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "builder/config/config.hpp"

namespace lpack::builder::config_detail {

// Checks a string, may normalise it in place ("aarch64" -> "arm64"), and returns "" when it
// is fine or the reason it is not, phrased to follow the key's name:
// `must be "x86_64" or "arm64" (got "sparc")`. Rules never quote values that may carry a
// secret (URLs, environment values, tags).
using StringRule = std::string (*)(std::string& value);

using Member =
    std::variant<std::string Config::*, bool Config::*, int Config::*,
                 std::vector<std::string> Config::*, std::map<std::string, std::string> Config::*>;

// One key of a configuration file and the Config member it fills.
struct KeySpec {
  std::string_view name;
  Member member;
  StringRule rule = nullptr;      // a string; each element of an array; each value of a table
  StringRule key_rule = nullptr;  // each key of a table
  int64_t min = 0;                // integers, inclusive
  int64_t max = 0;
  std::size_t max_items = 0;  // arrays and tables; 0: no limit
};

// The KeySpec called `name`, or null.
const KeySpec* find_key(std::span<const KeySpec> keys, std::string_view name);

// "must be between 128 and 10240 (got 64)", or "" when min <= value <= max.
std::string check_integer(const KeySpec& spec, int64_t value);
// "must hold at most 5 items (got 6)", or "".
std::string check_count(const KeySpec& spec, std::size_t count);

// The closest candidate to `word` when it is plausibly a typo of it (a small edit distance,
// or the same letters once case, '_' and '-' are ignored: "MemorySize" ~ "memory_size");
// nullopt otherwise. Ties go to the earlier candidate.
std::optional<std::string_view> suggest(std::string_view word,
                                        std::span<const std::string_view> candidates);

// `key` as it appears after a '.' in a dotted path when it is a bare word, else quoted with
// JSON escapes: `FOO`, `"my key"`.
std::string quote_key_if_needed(std::string_view key);
// `"text"` with JSON escapes, for values quoted in messages.
std::string in_quotes(std::string_view text);

// The rules. Each is a StringRule.
std::string rule_not_empty(std::string& value);
std::string rule_function_name(std::string& value);  // Lambda: 1-64 of [A-Za-z0-9_-]
std::string rule_layer_name(std::string& value);     // Lambda: 1-140 of [A-Za-z0-9_-]
std::string rule_description(std::string& value);    // Lambda: at most 256 characters
std::string rule_architecture(std::string& value);   // "x86_64" | "arm64" (aliases normalised)
std::string rule_auth_type(std::string& value);      // "NONE" | "AWS_IAM"
std::string rule_role_arn(std::string& value);       // arn:PARTITION:iam::ACCOUNT:role/NAME
std::string rule_policy_arn(std::string& value);     // arn:PARTITION:iam::ACCOUNT|aws:policy/NAME
std::string rule_layer_arn(std::string& value);      // arn:...:lambda:...:layer:NAME:VERSION
std::string rule_environment_name(std::string& value);  // Lambda's pattern, not reserved
std::string rule_tag_key(std::string& value);           // 1-128 characters, not "aws:..."
std::string rule_tag_value(std::string& value);         // at most 256 characters
std::string rule_index_url(std::string& value);         // http://, https:// or file://
// A relative path that may leave the folder ("../src"), for [build] source_path.
std::string rule_relative_path(std::string& value);
// A relative path that stays inside the folder, for files of the source folder.
std::string rule_inner_path(std::string& value);

}  // namespace lpack::builder::config_detail
