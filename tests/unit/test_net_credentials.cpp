// The credentials chain, region and endpoint resolution, with the environment and home
// folder passed in and STS / the container endpoint / IMDS answered by a fake transport
// (the real STS call is tested against moto in tests/integration/test_net_s3_moto.sh).
#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "net/aws_client.hpp"
#include "net/credentials.hpp"

namespace lpack::net {
namespace {

using test::FakeTransport;
using test::response;

std::string sts_answer(std::string_view action, std::string_view id) {
  return "<" + std::string(action) + "Response><" + std::string(action) +
         "Result><Credentials><AccessKeyId>" + std::string(id) +
         "</AccessKeyId><SecretAccessKey>assumed-secret</"
         "SecretAccessKey><SessionToken>assumed-token</SessionToken>"
         "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></" +
         std::string(action) + "Result></" + std::string(action) + "Response>";
}

struct Chain : ::testing::Test {
  void SetUp() override {
    auto dir = TempDir::create("lpack-creds-");
    ASSERT_TRUE(dir);
    home = std::move(*dir);
    fs::create_directories(home.path() / ".aws");
  }
  void write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(write_file_atomic(home.path() / ".aws" / name, text));
  }
  Result<Credentials> resolve(Environment env) {
    AwsContext context{
        .env = std::move(env), .home = home.path(), .transport = &transport, .clock = &clock};
    return make_default_credentials_provider(context)->credentials();
  }

  TempDir home = TempDir::create("unused-").value();
  FakeTransport transport;
  ManualClock clock{std::chrono::system_clock::from_time_t(1'700'000'000)};
};

TEST_F(Chain, EnvironmentComesFirst) {
  write("credentials",
        "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n");
  auto c = resolve({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                    {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                    {"AWS_SESSION_TOKEN", "tok"}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id(), "AKIAENV");
  EXPECT_EQ(c->session_token(), "tok");
  EXPECT_EQ(c->source(), "environment");
  EXPECT_EQ(transport.count(), 0u);
}

TEST_F(Chain, HalfSetEnvironmentIsAnError) {
  auto c = resolve({{"AWS_ACCESS_KEY_ID", "AKIAENV"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("AWS_SECRET_ACCESS_KEY is missing"), std::string::npos);
}

TEST_F(Chain, ProfileStaticKeysFromCredentialsAndConfig) {
  write("credentials",
        "[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = ci-secret # comment\n");
  write("config",
        "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = dev#secret\nregion = "
        "eu-west-1\n"
        "s3 =\n  addressing_style = path\n");
  auto ci = resolve({{"AWS_PROFILE", "ci"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_TRUE(ci) << ci.error().message();
  EXPECT_EQ(ci->access_key_id(), "AKIACI");
  EXPECT_EQ(ci->secret_access_key(), "ci-secret");
  EXPECT_EQ(ci->source(), "profile ci");
  auto dev = resolve({{"AWS_PROFILE", "dev"}});
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->secret_access_key(), "dev#secret");  // '#' without a space before is data
}

TEST_F(Chain, NamedProfileThatDoesNotExistIsAnError) {
  auto c = resolve({{"AWS_PROFILE", "nope"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::bad_input);
  EXPECT_NE(c.error().message().find("AWS profile 'nope'"), std::string::npos);
  EXPECT_EQ(transport.count(), 0u);  // no fall-through to another identity
}

TEST_F(Chain, SourceProfileAssumesTheRoleThroughSignedSts) {
  write("credentials",
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n");
  write(
      "config",
      "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n"
      "region = eu-central-1\n");
  transport.push(response(200, sts_answer("AssumeRole", "ASIAASSUMED")));
  auto c = resolve({{"AWS_PROFILE", "deploy"}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id(), "ASIAASSUMED");
  EXPECT_EQ(c->session_token(), "assumed-token");
  ASSERT_EQ(transport.count(), 1u);
  const HttpRequest sent = transport.requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://sts.eu-central-1.amazonaws.com/");
  EXPECT_NE(sent.body.data.find("Action=AssumeRole"), std::string::npos);
  EXPECT_NE(sent.body.data.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy"),
            std::string::npos);
  auto auth = find_header(sent.headers, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("Credential=AKIABASE/20231114/eu-central-1/sts/aws4_request"),
            std::string::npos)
      << *auth;
}

TEST_F(Chain, AssumedCredentialsAreCachedUntilNearExpiry) {
  write("credentials",
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n");
  write("config", "[profile deploy]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
  AwsContext context{.env = {{"AWS_PROFILE", "deploy"}},
                     .home = home.path(),
                     .transport = &transport,
                     .clock = &clock};
  auto provider = make_default_credentials_provider(context);
  const std::string soon =
      "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
      "<SessionToken>t</SessionToken><Expiration>2023-11-14T23:13:20Z</Expiration></Credentials></"
      "R>";
  transport.push(response(200, soon));  // 1 hour after the clock's start
  transport.push(response(200, sts_answer("AssumeRole", "ASIA2")));
  EXPECT_EQ(provider->credentials()->access_key_id(), "ASIA1");
  clock.advance(std::chrono::minutes(30));
  EXPECT_EQ(provider->credentials()->access_key_id(), "ASIA1");
  clock.advance(std::chrono::minutes(26));  // within 5 minutes of expiry
  EXPECT_EQ(provider->credentials()->access_key_id(), "ASIA2");
  EXPECT_EQ(transport.count(), 2u);
}

TEST_F(Chain, WebIdentityFromTheEnvironmentIsUnsigned) {
  ASSERT_TRUE(write_file_atomic(home.path() / "token", "oidc-token-value\n"));
  transport.push(response(200, sts_answer("AssumeRoleWithWebIdentity", "ASIAWEB")));
  auto c = resolve({{"AWS_WEB_IDENTITY_TOKEN_FILE", (home.path() / "token").string()},
                    {"AWS_ROLE_ARN", "arn:aws:iam::1:role/gha"},
                    {"AWS_ROLE_SESSION_NAME", "ci-run"},
                    {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000"}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id(), "ASIAWEB");
  const HttpRequest sent = transport.requests()[0];
  EXPECT_EQ(sent.url, "http://127.0.0.1:5000/");
  EXPECT_FALSE(find_header(sent.headers, "Authorization"));
  EXPECT_TRUE(sent.body.data.ends_with("&WebIdentityToken=oidc-token-value"))
      << "(the token without its newline)";
  EXPECT_NE(sent.body.data.find("RoleSessionName=ci-run"), std::string::npos);
}

TEST_F(Chain, WebIdentityRefusalIsUnauthorizedAndNamesNoToken) {
  ASSERT_TRUE(write_file_atomic(home.path() / "token", "oidc-token-value"));
  transport.push(
      response(403,
               "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message>"
               "</Error></ErrorResponse>"));
  auto c = resolve({{"AWS_WEB_IDENTITY_TOKEN_FILE", (home.path() / "token").string()},
                    {"AWS_ROLE_ARN", "arn:aws:iam::1:role/gha"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::unauthorized);
  EXPECT_EQ(c.error().message().find("oidc-token-value"), std::string::npos);
  EXPECT_NE(c.error().message().find("AccessDenied"), std::string::npos);
}

TEST_F(Chain, ContainerEndpointWithAuthorizationToken) {
  ASSERT_TRUE(write_file_atomic(home.path() / "ecs-token", "ecs-auth\n"));
  transport.push(response(
      200,
      R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"})"));
  auto c =
      resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:51679/creds"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (home.path() / "ecs-token").string()}});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id(), "ASIAECS");
  const HttpRequest sent = transport.requests()[0];
  EXPECT_EQ(sent.url, "http://127.0.0.1:51679/creds");
  EXPECT_EQ(find_header(sent.headers, "Authorization"), "ecs-auth");

  auto relative = resolve({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}});
  EXPECT_EQ(transport.requests().back().url, "http://169.254.170.2/v2/credentials/abc");

  auto outside = resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds"}});
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code(), ErrorCode::bad_input);
}

TEST_F(Chain, ImdsV2TokenThenRoleThenCredentials) {
  transport.set_handler([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "PUT" && r.url.ends_with("/latest/api/token"))
      return response(200, "imds-token");
    if (find_header(r.headers, "X-aws-ec2-metadata-token") != "imds-token") return response(401);
    if (r.url.ends_with("/security-credentials/")) return response(200, "my-role\n");
    if (r.url.ends_with("/security-credentials/my-role"))
      return response(
          200, R"({"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t"})");
    return response(404);
  });
  auto c = resolve({});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->access_key_id(), "ASIAIMDS");
  EXPECT_EQ(c->source(), "EC2 instance role my-role");
  const auto sent = transport.requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].url, "http://169.254.169.254/latest/api/token");
  EXPECT_EQ(find_header(sent[0].headers, "X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_LE(sent[0].timeout_seconds, 1.0);
}

TEST_F(Chain, NothingFoundIsUnauthorizedAndImdsCanBeDisabled) {
  transport.set_handler([](const HttpRequest& r) -> Result<HttpResponse> {
    return Error(ErrorCode::timeout, r.method + " " + r.url + ": no answer in time");
  });
  auto c = resolve({});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::unauthorized);
  EXPECT_NE(c.error().message().find("no AWS credentials found"), std::string::npos);
  EXPECT_EQ(transport.count(), 1u);  // the IMDS token PUT only

  auto disabled = resolve({{"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_FALSE(disabled);
  EXPECT_EQ(transport.count(), 1u);  // no request at all
}

TEST_F(Chain, RegionAndEndpoints) {
  write("config",
        "[default]\nregion = ap-south-1\n[profile other]\nregion = sa-east-1\nendpoint_url = "
        "http://127.0.0.1:9\n");
  auto profiles = load_profiles({}, home.path());
  ASSERT_TRUE(profiles);
  EXPECT_EQ(resolve_region({}, *profiles), "ap-south-1");
  EXPECT_EQ(resolve_region({{"AWS_PROFILE", "other"}}, *profiles), "sa-east-1");
  EXPECT_EQ(resolve_region({{"AWS_DEFAULT_REGION", "us-west-1"}}, *profiles), "us-west-1");
  EXPECT_EQ(
      resolve_region({{"AWS_REGION", "us-west-2"}, {"AWS_DEFAULT_REGION", "us-west-1"}}, *profiles),
      "us-west-2");

  Environment env{{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                  {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2"}};
  EXPECT_EQ(resolve_endpoint(env, *profiles, "s3", ""), "http://127.0.0.1:2");
  EXPECT_EQ(resolve_endpoint(env, *profiles, "lambda", ""), "http://127.0.0.1:1");
  EXPECT_EQ(resolve_endpoint(env, *profiles, "s3", "http://flag:3"), "http://flag:3");
  EXPECT_FALSE(resolve_endpoint({}, *profiles, "s3", ""));
  EXPECT_EQ(resolve_endpoint({{"AWS_PROFILE", "other"}}, *profiles, "sts", ""),
            "http://127.0.0.1:9");
  env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_FALSE(resolve_endpoint(env, *profiles, "s3", ""));
  EXPECT_EQ(default_endpoint("lambda", "eu-west-1"), "https://lambda.eu-west-1.amazonaws.com");

  AwsContext context{.env = {{"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:7/"}},
                     .home = {},
                     .transport = &transport,
                     .clock = &clock};
  auto lambda = resolve_aws_endpoint(context, "lambda", "");
  ASSERT_TRUE(lambda) << lambda.error().message();
  EXPECT_EQ(lambda->url, "http://127.0.0.1:7");
  EXPECT_EQ(lambda->region, "us-east-1");
  context.env.clear();
  auto no_region = resolve_aws_endpoint(context, "lambda", "");
  ASSERT_FALSE(no_region);
  EXPECT_NE(no_region.error().message().find("AWS_REGION"), std::string::npos);
}

TEST(NetIni, MalformedLineNamesFileAndLine) {
  auto ini = parse_ini("[default]\nregion = x\nthis is not ini\n", "/home/u/.aws/config");
  ASSERT_FALSE(ini);
  EXPECT_NE(ini.error().message().find("/home/u/.aws/config:3"), std::string::npos);
}

}  // namespace
}  // namespace lpack::net
