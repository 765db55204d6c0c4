// Where lpack's AWS settings come from, resolved the way the AWS CLI and SDKs do, but with
// the environment and the home folder passed in (never read from the process inside this
// library), so tests and the CLI decide what the library sees.
//
// Shared files (INI): ~/.aws/credentials (sections "[name]") and ~/.aws/config (sections
// "[default]" and "[profile name]"), or the files AWS_SHARED_CREDENTIALS_FILE and
// AWS_CONFIG_FILE name. Keys are case-insensitive; "#" and ";" start comments; nested
// (indented) keys under a sub-section such as "s3 =" are ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::net {

using Environment = std::map<std::string, std::string>;

// The value of `name` in `env` when it is set and not empty.
std::optional<std::string> env_value(const Environment& env, std::string_view name);

using Section = std::map<std::string, std::string>;  // lowercase key -> value
using IniFile = std::map<std::string, Section>;      // section name as written -> keys

// Parses INI text; `origin` names the file in errors (a line that is neither a section, a
// key = value, a comment nor blank is a bad_input Error naming file and line).
Result<IniFile> parse_ini(std::string_view text, std::string_view origin);

struct AwsProfiles {
  IniFile credentials;  // [name]
  IniFile config;       // [default], [profile name] stored under "name"
  fs::path config_dir;  // where relative paths in the files resolve (the config's folder)

  // The profile's keys: config's section overlaid by credentials' (credentials win).
  std::optional<Section> profile(std::string_view name) const;
};

// Reads both files; a missing file is empty, an unreadable or malformed one an Error.
Result<AwsProfiles> load_profiles(const Environment& env, const fs::path& home);

// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
std::string profile_name(const Environment& env);

// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's "region"; nullopt when none says.
std::optional<std::string> resolve_region(const Environment& env, const AwsProfiles& profiles);

// The endpoint URL for `service` ("s3", "lambda", "sts", "iam"): `flag` (--endpoint-url)
// when not empty, else AWS_ENDPOINT_URL_<SERVICE> (uppercase), else AWS_ENDPOINT_URL, else
// the profile's "endpoint_url"; the environment and profile are skipped when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true". nullopt: use AWS's own endpoint
// (default_endpoint()).
std::optional<std::string> resolve_endpoint(const Environment& env, const AwsProfiles& profiles,
                                            std::string_view service, std::string_view flag);

// "https://<service>.<region>.amazonaws.com" ("amazonaws.com.cn" for cn- regions).
std::string default_endpoint(std::string_view service, std::string_view region);

}  // namespace lpack::net
