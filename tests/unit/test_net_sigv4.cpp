// SigV4 against AWS's published test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE,
// 2015-08-30T12:36:00Z, us-east-1, service "service"); the expected Authorization values are
// the suite's. botocore's signer is compared in tests/integration/test_net_sigv4_botocore.sh.
#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

#include "base/sha256.hpp"
#include "net/sigv4.hpp"

namespace lpack::net {
namespace {

const auto k_suite_time = std::chrono::system_clock::from_time_t(1440938160);  // 20150830T123600Z

Credentials suite_credentials(std::string token = {}) {
  return Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token),
                     "test");
}

std::string sign_suite(std::string method, std::string target, Headers headers = {},
                       std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = "https://example.amazonaws.com" + target;
  request.headers = std::move(headers);
  request.body.data = std::move(body);
  SigningOptions options{.region = "us-east-1", .service = "service"};
  auto details = sign_request(request, suite_credentials(), options, k_suite_time);
  EXPECT_TRUE(details.has_value());
  return details ? details->authorization : "";
}

std::string expected(std::string signed_headers, std::string signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

TEST(NetSigv4, SuiteGetVanilla) {
  EXPECT_EQ(sign_suite("GET", "/"),
            expected("host;x-amz-date",
                     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(NetSigv4, SuiteGetUnreserved) {
  EXPECT_EQ(
      sign_suite("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
      expected("host;x-amz-date",
               "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(NetSigv4, SuiteGetSlashesNormalised) {
  EXPECT_EQ(sign_suite("GET", "//example//"),
            expected("host;x-amz-date",
                     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"));
}

TEST(NetSigv4, SuiteQueryOrderKeyCase) {
  EXPECT_EQ(sign_suite("GET", "/?Param2=value2&Param1=value1"),
            expected("host;x-amz-date",
                     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(NetSigv4, SuiteQueryOrderValue) {
  EXPECT_EQ(sign_suite("GET", "/?Param1=value2&Param1=value1"),
            expected("host;x-amz-date",
                     "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));
}

TEST(NetSigv4, SuiteUtf8Query) {
  // The suite's raw "/?ሴ=bar", as it goes on the wire.
  EXPECT_EQ(sign_suite("GET", "/?%E1%88%B4=bar"),
            expected("host;x-amz-date",
                     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST(NetSigv4, SuiteHeaderValueOrderAndDuplicates) {
  EXPECT_EQ(sign_suite("GET", "/",
                       {{"My-Header1", "value4"},
                        {"My-Header1", "value1"},
                        {"My-Header1", "value3"},
                        {"My-Header1", "value2"}}),
            expected("host;my-header1;x-amz-date",
                     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
  EXPECT_EQ(
      sign_suite("GET", "/",
                 {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}),
      expected("host;my-header1;x-amz-date",
               "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(NetSigv4, SuiteHeaderValueTrim) {
  EXPECT_EQ(sign_suite("GET", "/", {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}}),
            expected("host;my-header1;my-header2;x-amz-date",
                     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(NetSigv4, SuitePostFormUrlencoded) {
  EXPECT_EQ(sign_suite("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "Param1=value1"),
            expected("content-type;host;x-amz-date",
                     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(NetSigv4, SuiteCanonicalRequestAndStringToSign) {
  HttpRequest request;
  request.url = "https://example.amazonaws.com/?Param2=value2&Param1=value1";
  SigningOptions options{.region = "us-east-1", .service = "service"};
  auto details = sign_request(request, suite_credentials(), options, k_suite_time);
  ASSERT_TRUE(details);
  EXPECT_EQ(
      details->canonical_request,
      "GET\n/"
      "\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
      "host;x-amz-date\n" +
          std::string(k_empty_sha256));
  EXPECT_EQ(details->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(find_header(request.headers, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(find_header(request.headers, "authorization"), details->authorization);
}

TEST(NetSigv4, SessionTokenIsSentAndSigned) {
  HttpRequest request;
  request.url = "https://example.amazonaws.com/";
  SigningOptions options{.region = "us-east-1", .service = "service"};
  auto details =
      sign_request(request, suite_credentials("session-token-value"), options, k_suite_time);
  ASSERT_TRUE(details);
  EXPECT_EQ(find_header(request.headers, "X-Amz-Security-Token"), "session-token-value");
  EXPECT_NE(details->authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  // The token is in the signed headers but never in the Authorization value itself.
  EXPECT_EQ(details->authorization.find("session-token-value"), std::string::npos);
}

TEST(NetSigv4, CanonicalUriRules) {
  // S3 keeps the wire path exactly (no second encoding, no normalisation).
  EXPECT_EQ(canonical_uri("/bucket/a%20b/./c//d", true), "/bucket/a%20b/./c//d");
  // Other services: normalised, then encoded once more.
  EXPECT_EQ(canonical_uri("/a%20b/./c/../d", false), "/a%2520b/d");
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda/invocations", false),
            "/2015-03-31/functions/arn%253Aaws%253Alambda/invocations");
  EXPECT_EQ(canonical_uri("", false), "/");
  EXPECT_EQ(canonical_uri("/", false), "/");
}

TEST(NetSigv4, CanonicalQueryRules) {
  EXPECT_EQ(canonical_query("b&a=1"), "a=1&b=");
  EXPECT_EQ(canonical_query("q=a+b"), "q=a%2Bb");
  EXPECT_EQ(canonical_query("q=a%20b&list-type=2"), "list-type=2&q=a%20b");
  EXPECT_EQ(canonical_query("uploads"), "uploads=");
  EXPECT_EQ(canonical_query("prefix=a/b"), "prefix=a%2Fb");
}

TEST(NetSigv4, PayloadHashHeaderAndUnsignedPayload) {
  HttpRequest request;
  request.method = "PUT";
  request.url = "https://bucket.s3.us-east-1.amazonaws.com/key";
  request.body.data = "hello";
  SigningOptions options{
      .region = "us-east-1", .service = "s3", .s3_rules = true, .add_content_sha256 = true};
  ASSERT_TRUE(sign_request(request, suite_credentials(), options, k_suite_time));
  EXPECT_EQ(find_header(request.headers, "x-amz-content-sha256"), to_hex(sha256("hello")));

  HttpRequest unsigned_request;
  unsigned_request.method = "PUT";
  unsigned_request.url = "https://bucket.s3.us-east-1.amazonaws.com/key";
  unsigned_request.body.data = "hello";
  options.unsigned_payload = true;
  auto details = sign_request(unsigned_request, suite_credentials(), options, k_suite_time);
  ASSERT_TRUE(details);
  EXPECT_EQ(find_header(unsigned_request.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(details->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(NetSigv4, FileBodyIsHashedFromItsRegion) {
  auto dir = TempDir::create("lpack-sigv4-");
  ASSERT_TRUE(dir);
  ASSERT_TRUE(write_file_atomic(dir->path() / "f", "0123456789"));
  RequestBody body;
  body.file = dir->path() / "f";
  body.offset = 2;
  body.size = 5;
  EXPECT_EQ(payload_sha256(body).value(), to_hex(sha256("23456")));
  body.size = 50;
  EXPECT_EQ(payload_sha256(body).error().code(), ErrorCode::io);
}

// Credentials cannot be streamed or printed: the operator<< is deleted.
template <typename T, typename = void>
struct is_streamable : std::false_type {};
template <typename T>
struct is_streamable<
    T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};
static_assert(!is_streamable<Credentials>::value, "Credentials must not be printable");
static_assert(is_streamable<std::string>::value);

TEST(NetSigv4, CredentialsShowOnlyAMaskedKeyId) {
  Credentials c("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "tok",
                "environment");
  EXPECT_EQ(c.masked_key_id(), "AKIA************MPLE");
  EXPECT_EQ(c.source(), "environment");
  Credentials moved = std::move(c);
  EXPECT_TRUE(c.empty());  // NOLINT: the moved-from value is wiped
  EXPECT_FALSE(moved.empty());
}

}  // namespace
}  // namespace lpack::net
