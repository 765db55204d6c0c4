#include "net/aws_config.hpp"

#include <algorithm>

namespace lpack::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<IniFile> load_ini(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return IniFile{};
  auto text = read_file(path);
  if (!text) return std::move(text).error();
  return parse_ini(*text, path.string());
}

}  // namespace

std::optional<std::string> env_value(const Environment& env, std::string_view name) {
  auto it = env.find(std::string(name));
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<IniFile> parse_ini(std::string_view text, std::string_view origin) {
  IniFile ini;
  Section* current = nullptr;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return bad_input(std::string(origin) + ":" + std::to_string(line_no) +
                         ": a section header must end with ']'");
      current = &ini[std::string(trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return bad_input(std::string(origin) + ":" + std::to_string(line_no) +
                       ": expected 'key = value', a [section] or a comment");
    if (indented || current == nullptr) continue;  // sub-section keys ("s3 =\n  x = y")
    std::string_view value = trim(line.substr(eq + 1));
    // An inline comment needs a space before it (values such as secrets may contain '#').
    for (std::string_view marker : {" #", " ;", "\t#", "\t;"}) {
      const size_t at = value.find(marker);
      if (at != std::string_view::npos) value = trim(value.substr(0, at));
    }
    (*current)[lower(trim(line.substr(0, eq)))] = std::string(value);
  }
  return ini;
}

std::optional<Section> AwsProfiles::profile(std::string_view name) const {
  std::optional<Section> out;
  auto c = config.find(std::string(name));
  if (c != config.end()) out = c->second;
  auto k = credentials.find(std::string(name));
  if (k != credentials.end()) {
    if (!out) out = Section{};
    for (const auto& [key, value] : k->second) (*out)[key] = value;
  }
  return out;
}

Result<AwsProfiles> load_profiles(const Environment& env, const fs::path& home) {
  AwsProfiles profiles;
  fs::path credentials_path = home.empty() ? fs::path() : home / ".aws" / "credentials";
  fs::path config_path = home.empty() ? fs::path() : home / ".aws" / "config";
  if (auto v = env_value(env, "AWS_SHARED_CREDENTIALS_FILE")) credentials_path = *v;
  if (auto v = env_value(env, "AWS_CONFIG_FILE")) config_path = *v;
  if (!credentials_path.empty()) profiles.credentials = LPACK_TRY(load_ini(credentials_path));
  if (!config_path.empty()) {
    IniFile raw = LPACK_TRY(load_ini(config_path));
    for (auto& [name, section] : raw) {
      if (name == "default") {
        profiles.config["default"] = std::move(section);
      } else if (name.starts_with("profile ")) {
        profiles.config[std::string(trim(std::string_view(name).substr(8)))] = std::move(section);
      }
      // [sso-session x], [services x] and others are not profiles.
    }
    profiles.config_dir = config_path.parent_path();
  }
  return profiles;
}

std::string profile_name(const Environment& env) {
  if (auto v = env_value(env, "AWS_PROFILE")) return *v;
  if (auto v = env_value(env, "AWS_DEFAULT_PROFILE")) return *v;
  return "default";
}

std::optional<std::string> resolve_region(const Environment& env, const AwsProfiles& profiles) {
  if (auto v = env_value(env, "AWS_REGION")) return v;
  if (auto v = env_value(env, "AWS_DEFAULT_REGION")) return v;
  if (auto p = profiles.profile(profile_name(env))) {
    auto it = p->find("region");
    if (it != p->end() && !it->second.empty()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> resolve_endpoint(const Environment& env, const AwsProfiles& profiles,
                                            std::string_view service, std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (lower(env_value(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) == "true")
    return std::nullopt;
  std::string upper(service);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::replace(upper.begin(), upper.end(), '-', '_');
  if (auto v = env_value(env, "AWS_ENDPOINT_URL_" + upper)) return v;
  if (auto v = env_value(env, "AWS_ENDPOINT_URL")) return v;
  if (auto p = profiles.profile(profile_name(env))) {
    auto it = p->find("endpoint_url");
    if (it != p->end() && !it->second.empty()) return it->second;
  }
  return std::nullopt;
}

std::string default_endpoint(std::string_view service, std::string_view region) {
  const std::string suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + std::string(service) + "." + std::string(region) + "." + suffix;
}

}  // namespace lpack::net
