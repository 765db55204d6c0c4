#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "net/clock.hpp"
#include "net/http.hpp"
#include "net/xml.hpp"

namespace lpack::net {
namespace {

TEST(NetHttp, ParseUrl) {
  auto u = parse_url("HTTPS://User:p%40ss@Cache.Example:8443/team/lpack?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->userinfo, "User:p%40ss");
  EXPECT_EQ(u->host, "cache.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/team/lpack");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(u->origin(), "https://cache.example:8443");
  EXPECT_EQ(u->host_header(), "cache.example:8443");
  EXPECT_EQ(parse_url("http://h")->path, "/");
  EXPECT_EQ(parse_url("http://h:80/")->host_header(), "h");
  EXPECT_EQ(parse_url("http://[::1]:9000/x")->host, "[::1]");
}

TEST(NetHttp, BadUrlsNameNoPassword) {
  for (const char* bad : {"ftp://u:hunter2@h/x", "https://u:hunter2@h:99999/", "u:hunter2@h",
                          "http://u:hunter2@/x"}) {
    auto u = parse_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code(), ErrorCode::bad_input);
    EXPECT_EQ(u.error().message().find("hunter2"), std::string::npos) << u.error().message();
  }
}

TEST(NetHttp, UrlEncoding) {
  EXPECT_EQ(url_encode("a b/c~d+e"), "a%20b%2Fc~d%2Be");
  EXPECT_EQ(url_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(url_encode("\xe1\x88\xb4"), "%E1%88%B4");
  EXPECT_EQ(url_decode("a%20b%2fc+%zz%4"), "a b/c+%zz%4");
}

TEST(NetHttp, HeadersAreCaseInsensitive) {
  Headers h{{"Content-Length", "3"}};
  EXPECT_EQ(find_header(h, "content-length"), "3");
  set_header(h, "CONTENT-LENGTH", "4");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(find_header(h, "Content-Length"), "4");
  EXPECT_FALSE(find_header(h, "ETag"));
}

TEST(NetHttp, Idempotence) {
  HttpRequest r;
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE"}) {
    r.method = m;
    EXPECT_TRUE(r.is_idempotent()) << m;
  }
  r.method = "POST";
  EXPECT_FALSE(r.is_idempotent());
  r.idempotent = true;
  EXPECT_TRUE(r.is_idempotent());
}

TEST(NetHttp, StatusErrorsAreTypedAndRedacted) {
  auto forbidden = status_error(
      "S3 GET s3://b/k",
      test::response(
          403,
          "<Error><Code>SignatureDoesNotMatch</Code><Message>for AKIAIOSFODNN7EXAMPLE with "
          "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI</Message></Error>"));
  EXPECT_EQ(forbidden.code(), ErrorCode::unauthorized);
  EXPECT_NE(forbidden.message().find("HTTP 403 (SignatureDoesNotMatch"), std::string::npos)
      << forbidden.message();
  EXPECT_EQ(forbidden.message().find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  EXPECT_EQ(forbidden.message().find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(status_error("x", test::response(401)).code(), ErrorCode::unauthorized);
  EXPECT_EQ(status_error("x", test::response(404)).code(), ErrorCode::not_found);
  auto json = status_error(
      "Lambda GetFunction",
      test::response(
          409, R"({"__type":"ResourceConflictException","message":"An update is in progress"})"));
  EXPECT_EQ(json.code(), ErrorCode::remote);
  EXPECT_NE(json.message().find("ResourceConflictException: An update is in progress"),
            std::string::npos)
      << json.message();
}

TEST(NetXml, ElementsAndText) {
  const std::string doc =
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"x\"><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a&amp;b</Key><Size>3</Size></Contents><Contents><Key>c&#x20;d</Key><Size>4</"
      "Size>"
      "</Contents><Empty/><NextContinuationToken>tok</NextContinuationToken></ListBucketResult>";
  auto contents = xml::elements(doc, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(xml::text(contents[0], "Key"), "a&b");
  EXPECT_EQ(xml::text(contents[1], "Key"), "c d");
  EXPECT_EQ(xml::text(doc, "NextContinuationToken"), "tok");
  EXPECT_EQ(xml::text(doc, "Empty"), "");
  EXPECT_FALSE(xml::text(doc, "Missing"));
  EXPECT_EQ(xml::text("<a:Key>v</a:Key>", "Key"), "v");
}

TEST(NetClock, AmzDateAndIso8601) {
  const auto t = std::chrono::system_clock::from_time_t(1440938160);
  EXPECT_EQ(amz_date(t), "20150830T123600Z");
  EXPECT_EQ(amz_day(t), "20150830");
  std::chrono::system_clock::time_point parsed;
  ASSERT_TRUE(parse_iso8601("2015-08-30T12:36:00Z", parsed));
  EXPECT_EQ(parsed, t);
  ASSERT_TRUE(parse_iso8601("2015-08-30T12:36:00.123+00:00", parsed));
  EXPECT_EQ(parsed, t);
  EXPECT_FALSE(parse_iso8601("yesterday", parsed));
}

TEST(NetClock, ManualClockSleepsWithoutWaiting) {
  ManualClock clock(std::chrono::system_clock::from_time_t(100));
  const auto before = clock.steady_now();
  clock.sleep(std::chrono::milliseconds(2500));
  EXPECT_EQ(clock.steady_now() - before, std::chrono::milliseconds(2500));
  EXPECT_EQ(clock.now(),
            std::chrono::system_clock::from_time_t(102) + std::chrono::milliseconds(500));
  EXPECT_EQ(clock.slept(), std::chrono::milliseconds(2500));
}

}  // namespace
}  // namespace lpack::net
