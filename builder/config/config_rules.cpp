// The value rules of lpack.toml and function.json. The limits are Lambda's own (function and
// layer names, description length, environment variable names, tags, ARNs), checked here so
// that a mistake is reported with its line before a build, not by the API after one.
// The edit distance behind "did you mean" is a dozen lines; none of our libraries offers one.
#include "builder/config/config_rules.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "base/arch.hpp"

namespace lpack::builder::config_detail {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string name_rule(std::string_view value, std::size_t max_length) {
  if (value.empty() || value.size() > max_length ||
      !std::all_of(value.begin(), value.end(), is_name_char)) {
    return "must be 1-" + std::to_string(max_length) +
           " letters, digits, hyphens or underscores (got " + in_quotes(value) + ")";
  }
  return {};
}

// Splits "arn:aws:iam::123456789012:role/x" on ':' into its fields.
std::vector<std::string_view> split_arn(std::string_view arn) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) {
      fields.push_back(arn.substr(start));
      return fields;
    }
    fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
}

bool is_partition(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

// Fields of an IAM ARN "arn:PARTITION:iam::ACCOUNT:KIND/NAME" when it has that shape; the
// resource part may itself hold ':' in no IAM ARN we accept, so six fields exactly.
bool is_iam_arn(std::string_view arn, std::string_view kind, bool allow_aws_account) {
  auto fields = split_arn(arn);
  if (fields.size() != 6 || fields[0] != "arn" || !is_partition(fields[1]) || fields[2] != "iam" ||
      !fields[3].empty()) {
    return false;
  }
  bool account_ok = (fields[4].size() == 12 && all_digits(fields[4])) ||
                    (allow_aws_account && fields[4] == "aws");
  std::string prefix = std::string(kind) + "/";
  return account_ok && fields[5].size() > prefix.size() && fields[5].starts_with(prefix);
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so that
// "hnadler" is one edit from "handler".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Lower case without '_' and '-': "MemorySize" and "memory-size" both become "memorysize".
// Plain ASCII folding on purpose: keys are ASCII and the locale must not matter.
std::string fold(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string_view first_word(std::string_view key) {
  return key.substr(0, key.find('_'));
}

}  // namespace

const KeySpec* find_key(std::span<const KeySpec> keys, std::string_view name) {
  for (const KeySpec& spec : keys) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string check_integer(const KeySpec& spec, int64_t value) {
  if (value < spec.min || value > spec.max) {
    return "must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max) +
           " (got " + std::to_string(value) + ")";
  }
  return {};
}

std::string check_count(const KeySpec& spec, std::size_t count) {
  if (spec.max_items != 0 && count > spec.max_items) {
    return "must hold at most " + std::to_string(spec.max_items) + " items (got " +
           std::to_string(count) + ")";
  }
  return {};
}

std::optional<std::string_view> suggest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  // Scores: 0 same folded letters; 1..limit the edit distance; limit+1 the same first word
  // ("timeout" for "timeout_seconds"). Anything else is not a suggestion.
  const std::size_t limit = word.size() <= 4 ? 1 : 2;
  std::optional<std::string_view> best;
  std::size_t best_score = limit + 2;
  for (std::string_view candidate : candidates) {
    std::size_t score = limit + 2;
    if (fold(word) == fold(candidate)) {
      score = 0;
    } else if (std::size_t distance = edit_distance(word, candidate); distance <= limit) {
      score = distance;
    } else if (first_word(word).size() >= 4 &&
               fold(first_word(word)) == fold(first_word(candidate))) {
      score = limit + 1;
    }
    if (score < best_score) {
      best_score = score;
      best = candidate;
    }
  }
  return best;
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string quote_key_if_needed(std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), is_name_char);
  return bare ? std::string(key) : in_quotes(key);
}

std::string rule_not_empty(std::string& value) {
  return value.empty() ? "must not be empty" : "";
}

std::string rule_function_name(std::string& value) {
  return name_rule(value, 64);
}

std::string rule_layer_name(std::string& value) {
  return name_rule(value, 140);
}

std::string rule_description(std::string& value) {
  if (value.size() > 256) {
    return "must be at most 256 characters (got " + std::to_string(value.size()) + ")";
  }
  return {};
}

std::string rule_architecture(std::string& value) {
  // The aliases the --arch option accepts are accepted here too, stored as Lambda spells them.
  std::optional<Arch> arch = parse_arch(value);
  if (!arch) return "must be \"x86_64\" or \"arm64\" (got " + in_quotes(value) + ")";
  value = std::string(arch_name(*arch));
  return {};
}

std::string rule_auth_type(std::string& value) {
  if (value != "NONE" && value != "AWS_IAM") {
    return "must be \"NONE\" or \"AWS_IAM\" (got " + in_quotes(value) + ")";
  }
  return {};
}

std::string rule_role_arn(std::string& value) {
  if (!is_iam_arn(value, "role", false)) {
    return "must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME (got " + in_quotes(value) + ")";
  }
  return {};
}

std::string rule_policy_arn(std::string& value) {
  if (!is_iam_arn(value, "policy", true)) {
    return "must be an IAM policy ARN, arn:aws:iam::ACCOUNT:policy/NAME or "
           "arn:aws:iam::aws:policy/NAME (got " +
           in_quotes(value) + ")";
  }
  return {};
}

std::string rule_layer_arn(std::string& value) {
  auto fields = split_arn(value);
  bool ok = fields.size() == 8 && fields[0] == "arn" && is_partition(fields[1]) &&
            fields[2] == "lambda" && !fields[3].empty() && fields[4].size() == 12 &&
            all_digits(fields[4]) && fields[5] == "layer" && name_rule(fields[6], 140).empty() &&
            all_digits(fields[7]);
  if (!ok) {
    return "must be a layer version ARN, arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION (got " +
           in_quotes(value) + ")";
  }
  return {};
}

std::string rule_environment_name(std::string& value) {
  // Lambda sets these itself and rejects a function that defines them.
  static constexpr std::array<std::string_view, 16> k_reserved = {
      "AWS_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID",
      "AWS_DEFAULT_REGION",
      "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_NAME",
      "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE",
      "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_LAMBDA_RUNTIME_API",
      "AWS_REGION",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "LAMBDA_RUNTIME_DIR",
      "LAMBDA_TASK_ROOT",
  };
  // Lambda's pattern for a variable name: [a-zA-Z]([a-zA-Z0-9_])+
  bool ok =
      value.size() >= 2 &&
      ((value[0] >= 'a' && value[0] <= 'z') || (value[0] >= 'A' && value[0] <= 'Z')) &&
      std::all_of(value.begin(), value.end(), [](char c) { return is_name_char(c) && c != '-'; });
  if (!ok) {
    return "is not a valid variable name: Lambda wants a letter followed by letters, digits or "
           "underscores, at least 2 characters";
  }
  if (std::find(k_reserved.begin(), k_reserved.end(), value) != k_reserved.end()) {
    return "is reserved: Lambda sets it itself";
  }
  return {};
}

std::string rule_tag_key(std::string& value) {
  if (value.empty() || value.size() > 128) return "must be a tag key of 1-128 characters";
  if (value.starts_with("aws:")) return "uses the prefix \"aws:\", which AWS reserves";
  return {};
}

std::string rule_tag_value(std::string& value) {
  if (value.size() > 256) return "must be at most 256 characters";
  return {};
}

std::string rule_index_url(std::string& value) {
  // The value is not quoted: index URLs often carry credentials (https://user:token@host/).
  if (!value.starts_with("https://") && !value.starts_with("http://") &&
      !value.starts_with("file://")) {
    return "must be an http://, https:// or file:// URL";
  }
  return {};
}

std::string rule_relative_path(std::string& value) {
  // An absolute path would tie the project to one machine.
  if (value.empty()) return "must not be empty";
  if (value.front() == '/') {
    return "must be a path relative to the folder of the configuration file (got " +
           in_quotes(value) + ")";
  }
  return {};
}

std::string rule_inner_path(std::string& value) {
  if (value.empty()) return "must not be empty";
  if (value.front() == '/') {
    return "must be a path relative to the source folder (got " + in_quotes(value) + ")";
  }
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t slash = value.find('/', start);
    if (slash == std::string::npos) slash = value.size();
    if (std::string_view(value).substr(start, slash - start) == "..") {
      return "must stay inside the source folder (got " + in_quotes(value) + ")";
    }
    start = slash + 1;
  }
  return {};
}

}  // namespace lpack::builder::config_detail
