#include "net/credentials.hpp"

#include <mutex>
#include <nlohmann/json.hpp>

#include "base/redact.hpp"
#include "net/sigv4.hpp"
#include "net/xml.hpp"

namespace lpack::net {

namespace {

using MaybeCredentials = Result<std::optional<Credentials>>;

constexpr auto k_refresh_margin = std::chrono::minutes(5);
constexpr int k_max_profile_depth = 5;

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

Result<Credentials> parse_sts_credentials(std::string_view body, std::string_view what,
                                          std::string source) {
  auto block = xml::elements(body, "Credentials");
  if (block.empty())
    return Error(ErrorCode::remote, std::string(what) + ": the answer has no <Credentials>");
  auto id = xml::text(block.front(), "AccessKeyId");
  auto secret = xml::text(block.front(), "SecretAccessKey");
  auto token = xml::text(block.front(), "SessionToken");
  auto expiration = xml::text(block.front(), "Expiration");
  if (!id || !secret || id->empty() || secret->empty())
    return Error(ErrorCode::remote, std::string(what) + ": the answer's <Credentials> lacks a key");
  std::optional<std::chrono::system_clock::time_point> expires;
  std::chrono::system_clock::time_point t;
  if (expiration && parse_iso8601(*expiration, t)) expires = t;
  return Credentials(*id, *secret, token.value_or(""), std::move(source), expires);
}

// The JSON the container endpoint and IMDS answer with.
Result<Credentials> parse_json_credentials(std::string_view body, std::string_view what,
                                           std::string source) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  auto get = [&](const char* key) -> std::string {
    if (json.is_object() && json.contains(key) && json[key].is_string())
      return json[key].get<std::string>();
    return {};
  };
  if (!json.is_object())
    return Error(ErrorCode::remote, std::string(what) + ": the answer is not a JSON object");
  if (const std::string code = get("Code"); !code.empty() && code != "Success")
    return Error(ErrorCode::unauthorized,
                 std::string(what) + ": the endpoint says '" + redact(code) + "'");
  std::string id = get("AccessKeyId"), secret = get("SecretAccessKey"), token = get("Token");
  if (id.empty() || secret.empty())
    return Error(ErrorCode::remote,
                 std::string(what) + ": the answer lacks AccessKeyId or SecretAccessKey");
  std::optional<std::chrono::system_clock::time_point> expires;
  std::chrono::system_clock::time_point t;
  if (parse_iso8601(get("Expiration"), t)) expires = t;
  return Credentials(std::move(id), std::move(secret), std::move(token), std::move(source),
                     expires);
}

bool is_allowed_container_host(const Url& url) {
  if (url.scheme == "https") return true;
  const std::string& h = url.host;
  return h == "localhost" || h.starts_with("127.") || h == "[::1]" || h == "169.254.170.2" ||
         h == "169.254.170.23" || h == "[fd00:ec2::23]";
}

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(AwsContext context) : m_context(std::move(context)) {}

  Result<Credentials> credentials() override {
    std::lock_guard lock(m_mutex);
    if (m_cached && fresh(*m_cached)) return *m_cached;
    auto resolved = resolve();
    if (!resolved) return std::move(resolved).error();
    m_cached = std::move(*resolved);
    return *m_cached;
  }

 private:
  bool fresh(const Credentials& c) {
    return !c.expiration() || m_context.clock->now() + k_refresh_margin < *c.expiration();
  }

  Result<Credentials> resolve() {
    const Environment& env = m_context.env;
    if (auto c = LPACK_TRY(from_environment())) return std::move(*c);

    if (!m_profiles) m_profiles = LPACK_TRY(load_profiles(env, m_context.home));
    const std::string profile = profile_name(env);
    const bool named = env_value(env, "AWS_PROFILE") || env_value(env, "AWS_DEFAULT_PROFILE");
    auto section = m_profiles->profile(profile);
    if (named && !section)
      return bad_input("AWS profile '" + profile + "' (AWS_PROFILE) is in neither " +
                       shared_file_names() + "; create it or unset AWS_PROFILE");
    if (section && section->count("role_arn")) return from_role_profile(profile, 0);
    if (auto c = LPACK_TRY(from_web_identity_env())) return std::move(*c);
    if (section) {
      if (auto c = static_keys(*section, "profile " + profile)) return std::move(*c);
    }
    if (auto c = LPACK_TRY(from_container())) return std::move(*c);
    if (auto c = LPACK_TRY(from_imds())) return std::move(*c);
    return Error(
        ErrorCode::unauthorized,
        "no AWS credentials found (tried AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile '" +
            profile + "' in " + shared_file_names() +
            ", AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, the container endpoint and EC2 "
            "instance metadata); set one of them");
  }

  std::string shared_file_names() const {
    return env_value(m_context.env, "AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials") +
           " and " + env_value(m_context.env, "AWS_CONFIG_FILE").value_or("~/.aws/config");
  }

  MaybeCredentials from_environment() {
    const Environment& env = m_context.env;
    auto id = env_value(env, "AWS_ACCESS_KEY_ID");
    auto secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) return std::optional<Credentials>();
    if (!id || !secret)
      return bad_input(
          std::string("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together; ") +
          (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is missing");
    std::string token = env_value(env, "AWS_SESSION_TOKEN")
                            .value_or(env_value(env, "AWS_SECURITY_TOKEN").value_or(""));
    return std::optional<Credentials>(Credentials(*id, *secret, token, "environment"));
  }

  static std::optional<Credentials> static_keys(const Section& s, const std::string& source) {
    auto id = s.find("aws_access_key_id");
    auto secret = s.find("aws_secret_access_key");
    if (id == s.end() || secret == s.end() || id->second.empty() || secret->second.empty())
      return std::nullopt;
    auto token = s.find("aws_session_token");
    return Credentials(id->second, secret->second, token == s.end() ? "" : token->second, source);
  }

  std::string session_name(std::string_view fallback) const {
    if (auto v = env_value(m_context.env, "AWS_ROLE_SESSION_NAME")) return *v;
    auto t =
        std::chrono::duration_cast<std::chrono::seconds>(m_context.clock->now().time_since_epoch());
    return std::string(fallback) + "-" + std::to_string(t.count());
  }

  Result<Credentials> web_identity(std::string_view role_arn, const fs::path& token_file,
                                   std::string_view session, std::string source) {
    auto token = read_file(token_file);
    if (!token)
      return Error(ErrorCode::unauthorized,
                   "web identity token: " + token.error().message() +
                       "; check AWS_WEB_IDENTITY_TOKEN_FILE or the profile's "
                       "web_identity_token_file");
    std::string text = *token;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.pop_back();
    const StsTarget target = LPACK_TRY(sts_target(m_context));
    auto creds =
        sts_assume_role_with_web_identity(*m_context.transport, target, role_arn, session, text);
    if (!creds) return std::move(creds).error();
    return Credentials(creds->access_key_id(), creds->secret_access_key(), creds->session_token(),
                       std::move(source), creds->expiration());
  }

  MaybeCredentials from_web_identity_env() {
    auto file = env_value(m_context.env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    auto role = env_value(m_context.env, "AWS_ROLE_ARN");
    if (!file && !role) return std::optional<Credentials>();
    if (!file || !role)
      return bad_input(
          std::string("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together; ") +
          (file ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") + " is missing");
    return std::optional<Credentials>(LPACK_TRY(
        web_identity(*role, *file, session_name("lpack"), "web identity (" + *role + ")")));
  }

  Result<Credentials> from_role_profile(const std::string& profile, int depth) {
    if (depth > k_max_profile_depth)
      return bad_input("AWS profile '" + profile + "': source_profile chain is longer than " +
                       std::to_string(k_max_profile_depth) + " (a loop?)");
    auto section = m_profiles->profile(profile);
    if (!section)
      return bad_input("AWS profile '" + profile + "' (a source_profile) is in neither " +
                       shared_file_names());
    const Section& s = *section;
    auto get = [&](const char* key) -> std::string {
      auto it = s.find(key);
      return it == s.end() ? std::string() : it->second;
    };
    const std::string role = get("role_arn");
    const std::string source_name = "profile " + profile + " (" + role + ")";
    const std::string session =
        get("role_session_name").empty() ? session_name("lpack") : get("role_session_name");
    if (!get("web_identity_token_file").empty()) {
      fs::path file = get("web_identity_token_file");
      if (file.is_relative()) file = m_profiles->config_dir / file;
      return web_identity(role, file, session, source_name);
    }
    Credentials base;
    if (const std::string src = get("source_profile"); !src.empty()) {
      auto src_section = m_profiles->profile(src);
      if (src_section && src_section->count("role_arn") && src != profile) {
        base = LPACK_TRY(from_role_profile(src, depth + 1));
      } else if (src_section && static_keys(*src_section, "profile " + src)) {
        base = *static_keys(*src_section, "profile " + src);
      } else {
        return bad_input("AWS profile '" + profile + "': its source_profile '" + src +
                         "' has no aws_access_key_id/aws_secret_access_key and no role_arn");
      }
    } else if (const std::string cs = get("credential_source"); !cs.empty()) {
      std::optional<Credentials> c;
      if (cs == "Environment")
        c = LPACK_TRY(from_environment());
      else if (cs == "EcsContainer")
        c = LPACK_TRY(from_container());
      else if (cs == "Ec2InstanceMetadata")
        c = LPACK_TRY(from_imds());
      else
        return bad_input("AWS profile '" + profile + "': credential_source '" + cs +
                         "' is not Environment, EcsContainer or Ec2InstanceMetadata");
      if (!c)
        return Error(ErrorCode::unauthorized, "AWS profile '" + profile + "': credential_source " +
                                                  cs + " has no credentials");
      base = std::move(*c);
    } else {
      return bad_input("AWS profile '" + profile +
                       "' has role_arn but neither source_profile, "
                       "credential_source nor web_identity_token_file");
    }
    const StsTarget target = LPACK_TRY(sts_target(m_context));
    auto creds = sts_assume_role(*m_context.transport, *m_context.clock, target, base, role,
                                 session, get("external_id"));
    if (!creds) return std::move(creds).error().context("AWS profile '" + profile + "'");
    return Credentials(creds->access_key_id(), creds->secret_access_key(), creds->session_token(),
                       source_name, creds->expiration());
  }

  MaybeCredentials from_container() {
    const Environment& env = m_context.env;
    std::string url;
    if (auto rel = env_value(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
      url = "http://169.254.170.2" + *rel;
    } else if (auto full = env_value(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
      url = *full;
      const Url parsed = LPACK_TRY(parse_url(url));
      if (!is_allowed_container_host(parsed))
        return bad_input(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or http to a loopback or "
            "ECS/EKS address, not " +
            strip_url_credentials(parsed.origin()));
    } else {
      return std::optional<Credentials>();
    }
    HttpRequest request;
    request.url = url;
    request.timeout_seconds = 5;
    request.connect_timeout_seconds = 2;
    std::string token;
    if (auto file = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      auto text = read_file(*file);
      if (!text)
        return Error(ErrorCode::unauthorized,
                     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file + " cannot be read");
      token = *text;
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    } else if (auto value = env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
      token = *value;
    }
    if (!token.empty()) request.headers.emplace_back("Authorization", token);
    const std::string what = "container credentials endpoint " + strip_url_credentials(url);
    auto response = m_context.transport->send(request);
    if (!response) return std::move(response).error().context("container credentials");
    if (!response->ok()) return status_error(what, *response);
    return std::optional<Credentials>(
        LPACK_TRY(parse_json_credentials(response->body, what, "container endpoint")));
  }

  MaybeCredentials from_imds() {
    const Environment& env = m_context.env;
    std::string disabled = env_value(env, "AWS_EC2_METADATA_DISABLED").value_or("");
    for (char& c : disabled) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (disabled == "true") return std::optional<Credentials>();
    std::string base =
        env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto request = [&](std::string method, std::string path) {
      HttpRequest r;
      r.method = std::move(method);
      r.url = base + path;
      r.timeout_seconds = 1;
      r.connect_timeout_seconds = 1;
      return r;
    };
    // No metadata service (not on EC2) is not an error: there is just nothing here.
    HttpRequest put = request("PUT", "/latest/api/token");
    put.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
    auto token = m_context.transport->send(put);
    if (!token || !token->ok() || token->body.empty()) return std::optional<Credentials>();
    HttpRequest list = request("GET", "/latest/meta-data/iam/security-credentials/");
    list.headers.emplace_back("X-aws-ec2-metadata-token", token->body);
    auto roles = m_context.transport->send(list);
    if (!roles) return std::optional<Credentials>();
    if (roles->status == 404) return std::optional<Credentials>();  // an instance without a role
    if (!roles->ok()) return status_error("EC2 instance metadata", *roles);
    std::string role = roles->body.substr(0, roles->body.find('\n'));
    while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
    if (role.empty()) return std::optional<Credentials>();
    HttpRequest get =
        request("GET", "/latest/meta-data/iam/security-credentials/" + url_encode(role));
    get.headers.emplace_back("X-aws-ec2-metadata-token", token->body);
    auto creds = m_context.transport->send(get);
    if (!creds) return std::move(creds).error().context("EC2 instance metadata");
    if (!creds->ok()) return status_error("EC2 instance metadata role " + role, *creds);
    return std::optional<Credentials>(LPACK_TRY(
        parse_json_credentials(creds->body, "EC2 instance metadata", "EC2 instance role " + role)));
  }

  AwsContext m_context;
  std::mutex m_mutex;
  std::optional<AwsProfiles> m_profiles;
  std::optional<Credentials> m_cached;
};

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c) : m_credentials(std::move(c)) {}
  Result<Credentials> credentials() override { return m_credentials; }

 private:
  Credentials m_credentials;
};

}  // namespace

std::unique_ptr<CredentialsProvider> make_default_credentials_provider(const AwsContext& context) {
  return std::make_unique<ChainProvider>(context);
}

std::unique_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials) {
  return std::make_unique<StaticProvider>(std::move(credentials));
}

Result<StsTarget> sts_target(const AwsContext& context) {
  AwsProfiles profiles = LPACK_TRY(load_profiles(context.env, context.home));
  StsTarget target;
  target.region = resolve_region(context.env, profiles).value_or("us-east-1");
  if (auto e = resolve_endpoint(context.env, profiles, "sts", "")) {
    target.endpoint = *e;
  } else {
    target.endpoint = default_endpoint("sts", target.region);
  }
  while (!target.endpoint.empty() && target.endpoint.back() == '/') target.endpoint.pop_back();
  return target;
}

Result<Credentials> sts_assume_role(Transport& transport, Clock& clock, const StsTarget& target,
                                    const Credentials& source, std::string_view role_arn,
                                    std::string_view session_name, std::string_view external_id) {
  const std::string what = "STS AssumeRole " + std::string(role_arn);
  HttpRequest request;
  request.method = "POST";
  request.url = target.endpoint + "/";
  request.idempotent = true;
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body.data = form({{"Action", "AssumeRole"},
                            {"Version", "2011-06-15"},
                            {"RoleArn", role_arn},
                            {"RoleSessionName", session_name},
                            {"ExternalId", external_id}});
  SigningOptions options{.region = target.region, .service = "sts"};
  LPACK_TRY(sign_request(request, source, options, clock.now()));
  auto response = transport.send(request);
  if (!response) return std::move(response).error().context(what);
  if (!response->ok()) return status_error(what, *response);
  return parse_sts_credentials(response->body, what, "assumed role " + std::string(role_arn));
}

Result<Credentials> sts_assume_role_with_web_identity(Transport& transport, const StsTarget& target,
                                                      std::string_view role_arn,
                                                      std::string_view session_name,
                                                      std::string_view token) {
  const std::string what = "STS AssumeRoleWithWebIdentity " + std::string(role_arn);
  HttpRequest request;
  request.method = "POST";
  request.url = target.endpoint + "/";
  request.idempotent = true;
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body.data = form({{"Action", "AssumeRoleWithWebIdentity"},
                            {"Version", "2011-06-15"},
                            {"RoleArn", role_arn},
                            {"RoleSessionName", session_name},
                            {"WebIdentityToken", token}});
  auto response = transport.send(request);
  if (!response) return std::move(response).error().context(what);
  if (!response->ok()) return status_error(what, *response);
  return parse_sts_credentials(response->body, what, "web identity " + std::string(role_arn));
}

}  // namespace lpack::net
