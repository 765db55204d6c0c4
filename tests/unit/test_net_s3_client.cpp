// The S3 client's request shapes and answer handling over a scripted transport; the same
// operations run against moto's real S3 in tests/integration/test_net_s3_moto.sh.
#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "net/s3_client.hpp"

namespace lpack::net {
namespace {

using test::FakeTransport;
using test::response;

struct S3Fixture : ::testing::Test {
  FakeTransport transport;
  ManualClock clock{std::chrono::system_clock::from_time_t(1'700'000'000)};
  std::unique_ptr<CredentialsProvider> credentials = make_static_credentials_provider(
      Credentials("AKIAIOSFODNN7EXAMPLE", "secret-key", "", "test"));
  AwsClient aws{transport, *credentials, clock,
                AwsEndpoint{"s3", "us-east-1", "http://127.0.0.1:9000"}};
  S3Client s3{
      aws,
      S3Options{.multipart_threshold = 12ull << 20, .part_size = 5ull << 20, .parallel_parts = 2}};
};

TEST_F(S3Fixture, PathStyleUrlsWithEncodedKeys) {
  EXPECT_EQ(s3.object_url("bucket", "team/a b+c~d"),
            "http://127.0.0.1:9000/bucket/team/a%20b%2Bc~d");
  EXPECT_EQ(s3.object_url("bucket", ""), "http://127.0.0.1:9000/bucket/");
  AwsClient real{transport, *credentials, clock,
                 AwsEndpoint{"s3", "eu-west-1", "https://s3.eu-west-1.amazonaws.com"}};
  S3Client aws_s3{real};
  EXPECT_EQ(aws_s3.object_url("bucket", "k"), "https://bucket.s3.eu-west-1.amazonaws.com/k");
  EXPECT_EQ(aws_s3.object_url("my.bucket", "k"), "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
}

TEST_F(S3Fixture, HeadTells404From403) {
  transport.push(response(200, "", {{"Content-Length", "42"}, {"ETag", "\"abc\""}}));
  transport.push(response(404));
  transport.push(response(403));
  auto present = s3.head("b", "k");
  ASSERT_TRUE(present);
  ASSERT_TRUE(present->has_value());
  EXPECT_EQ((*present)->size, 42u);
  EXPECT_EQ((*present)->etag, "abc");
  auto absent = s3.head("b", "k");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
  auto forbidden = s3.head("b", "k");
  ASSERT_FALSE(forbidden);  // a 403 is never "absent"
  EXPECT_EQ(forbidden.error().code(), ErrorCode::unauthorized);
  const auto sent = transport.requests();
  EXPECT_EQ(sent[0].method, "HEAD");
  EXPECT_EQ(find_header(sent[0].headers, "x-amz-content-sha256"), std::string(k_empty_sha256));
  EXPECT_TRUE(
      find_header(sent[0].headers, "Authorization")
          ->starts_with("AWS4-HMAC-SHA256 "
                        "Credential=AKIAIOSFODNN7EXAMPLE/20231114/us-east-1/s3/aws4_request"));
}

TEST_F(S3Fixture, GetChecksContentLength) {
  transport.push(response(200, "abc", {{"Content-Length", "3"}}));
  transport.push(response(200, "ab", {{"Content-Length", "3"}}));
  transport.push(response(404, "<Error><Code>NoSuchKey</Code></Error>"));
  EXPECT_EQ(s3.get("b", "k").value(), "abc");
  EXPECT_EQ(s3.get("b", "k").error().code(), ErrorCode::corrupt);
  EXPECT_EQ(s3.get("b", "k").error().code(), ErrorCode::not_found);
}

TEST_F(S3Fixture, WriteOncePut) {
  transport.push(response(200));
  transport.push(response(412, "<Error><Code>PreconditionFailed</Code></Error>"));
  RequestBody body;
  body.data = "hello";
  S3PutOptions once{.if_none_match = true};
  EXPECT_EQ(s3.put("b", "cas/x", body, once).value(), PutResult::created);
  EXPECT_EQ(s3.put("b", "cas/x", body, once).value(), PutResult::already_exists);
  const auto sent = transport.requests();
  EXPECT_EQ(sent[0].method, "PUT");
  EXPECT_EQ(find_header(sent[0].headers, "If-None-Match"), "*");
  EXPECT_EQ(find_header(sent[0].headers, "x-amz-content-sha256"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_NE(find_header(sent[0].headers, "Authorization")->find("if-none-match"),
            std::string::npos);
}

struct MultipartFile {
  TempDir dir = TempDir::create("lpack-s3-").value();
  RequestBody body;
  MultipartFile() {
    std::string data(13u << 20, 'x');  // 3 parts of 5, 5, 3 MiB
    EXPECT_TRUE(write_file_atomic(dir.path() / "big", data));
    body.file = dir.path() / "big";
    body.size = data.size();
  }
};

TEST_F(S3Fixture, MultipartUploadAboveTheThreshold) {
  MultipartFile big;
  transport.set_handler([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "POST" && r.url.ends_with("?uploads"))
      return response(200,
                      "<InitiateMultipartUploadResult><UploadId>up/1</UploadId></"
                      "InitiateMultipartUploadResult>");
    if (r.method == "PUT") {
      const auto n = r.url.substr(r.url.find("partNumber=") + 11, 1);
      return response(200, "", {{"ETag", "\"etag" + n + "\""}});
    }
    if (r.method == "POST") return response(200, "<CompleteMultipartUploadResult/>");
    return response(500);
  });
  auto put = s3.put("b", "big", big.body, {.sha256_hex = std::string(64, 'a')});
  ASSERT_TRUE(put) << put.error().message();
  const auto sent = transport.requests();
  ASSERT_EQ(sent.size(), 5u);
  uint64_t total = 0;
  for (int i = 1; i <= 3; ++i) {
    EXPECT_NE(sent[i].url.find("uploadId=up%2F1"), std::string::npos) << sent[i].url;
    total += sent[i].body.size;
  }
  EXPECT_EQ(total, big.body.size);
  const HttpRequest& complete = sent[4];
  EXPECT_EQ(complete.method, "POST");
  EXPECT_NE(
      complete.body.data.find("<Part><PartNumber>1</PartNumber><ETag>\"etag1\"</ETag></Part>"),
      std::string::npos);
  EXPECT_NE(complete.body.data.find("<PartNumber>3</PartNumber><ETag>\"etag3\"</ETag>"),
            std::string::npos);
}

TEST_F(S3Fixture, MultipartFailureAbortsTheUpload) {
  MultipartFile big;
  std::atomic<bool> aborted{false};
  transport.set_handler([&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "POST") return response(200, "<UploadId>u1</UploadId>");
    if (r.method == "DELETE") {
      aborted = true;
      return response(204);
    }
    if (r.url.find("partNumber=2") != std::string::npos)
      return response(403, "<Error><Code>AccessDenied</Code></Error>");
    return response(200, "", {{"ETag", "\"e\""}});
  });
  auto put = s3.put("b", "big", big.body);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code(), ErrorCode::unauthorized);
  EXPECT_TRUE(aborted);
  EXPECT_EQ(transport.requests().back().method, "DELETE");
}

TEST_F(S3Fixture, ListFollowsContinuationTokens) {
  transport.push(response(
      200,
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/a</Key><Size>1</Size>"
      "</Contents><NextContinuationToken>t+1/=</NextContinuationToken></ListBucketResult>"));
  transport.push(
      response(200,
               "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/b</Key>"
               "<Size>2</Size><ETag>&quot;e&quot;</ETag></Contents></ListBucketResult>"));
  auto list = s3.list("b", "p/");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].key, "p/b");
  EXPECT_EQ((*list)[1].size, 2u);
  EXPECT_EQ((*list)[1].etag, "e");
  const auto sent = transport.requests();
  EXPECT_EQ(sent[0].url, "http://127.0.0.1:9000/b/?list-type=2&prefix=p%2F");
  EXPECT_NE(sent[1].url.find("continuation-token=t%2B1%2F%3D"), std::string::npos);
}

TEST_F(S3Fixture, DeleteOfAnAbsentObjectIsFine) {
  transport.push(response(204));
  transport.push(response(404));
  transport.push(response(403));
  EXPECT_TRUE(s3.remove("b", "k"));
  EXPECT_TRUE(s3.remove("b", "k"));
  EXPECT_EQ(s3.remove("b", "k").error().code(), ErrorCode::unauthorized);
}

}  // namespace
}  // namespace lpack::net
