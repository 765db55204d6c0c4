// The tiered store's policy with an in-memory backend whose faults are scripted: verification
// of remote bytes, switch-off with one warning, write-through order, read-only mode. The same
// store runs against real servers in tests/integration/test_cache_remote_*.sh.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "base/sha256.hpp"
#include "cache/remote_backends.hpp"
#include "cache/remote_record.hpp"
#include "cache/tiered_store.hpp"
#include "fake_transport.hpp"

namespace lpack::cache {
namespace {

class MemoryBackend final : public RemoteBackend {
 public:
  std::string describe() const override { return "mem://test"; }

  Result<std::string> get_record(std::string_view key) override {
    return get("ac/" + std::string(key));
  }
  Result<void> put_record(std::string_view key, std::string_view bytes) override {
    return put("ac/" + std::string(key), std::string(bytes));
  }
  Result<bool> has_blob(std::string_view sha) override {
    LPACK_TRY(fault("has cas/" + std::string(sha)));
    std::lock_guard lock(m_mutex);
    return objects.count("cas/" + std::string(sha)) > 0;
  }
  Result<uint64_t> get_blob(std::string_view sha, const fs::path& dest) override {
    std::string bytes = LPACK_TRY(get("cas/" + std::string(sha)));
    LPACK_TRY(write_file_atomic(dest, bytes));
    return bytes.size();
  }
  Result<std::string> get_blob_bytes(std::string_view sha, uint64_t) override {
    return get("cas/" + std::string(sha));
  }
  Result<void> put_blob(std::string_view sha, const fs::path& file, uint64_t) override {
    return put("cas/" + std::string(sha), LPACK_TRY(read_file(file)));
  }
  Result<void> put_blob_bytes(std::string_view sha, std::string_view bytes) override {
    return put("cas/" + std::string(sha), std::string(bytes));
  }

  std::map<std::string, std::string> objects;
  std::vector<std::string> log;  // "GET ac/..", "PUT cas/.."
  std::optional<Error> fail_all;
  std::mutex m_mutex;

 private:
  Result<void> fault(std::string op) {
    std::lock_guard lock(m_mutex);
    log.push_back(op);
    if (fail_all) return *fail_all;
    return ok();
  }
  Result<std::string> get(const std::string& name) {
    LPACK_TRY(fault("GET " + name));
    std::lock_guard lock(m_mutex);
    auto it = objects.find(name);
    if (it == objects.end())
      return Error(ErrorCode::not_found, "remote cache GET " + name + ": HTTP 404");
    return it->second;
  }
  Result<void> put(const std::string& name, std::string bytes) {
    LPACK_TRY(fault("PUT " + name));
    std::lock_guard lock(m_mutex);
    objects[name] = std::move(bytes);
    return ok();
  }
};

struct Tiered : ::testing::Test {
  void SetUp() override {
    dir = std::move(TempDir::create("lpack-tiered-").value());
    local = std::move(LocalStore::open(dir.path() / "cache").value());
    auto backend = std::make_unique<MemoryBackend>();
    remote = backend.get();
    store = std::make_unique<TieredStore>(*local, std::move(backend), TieredOptions{.write = true},
                                          clock);
  }
  // Puts a valid entry for `key` with artifact `blob` into the backend directly.
  OutputRecord seed(const std::string& key, const std::string& blob) {
    OutputRecord record;
    record.blob_sha256 = to_hex(sha256(blob));
    record.blob_xxh3 = std::string(32, '0');
    record.size = blob.size();
    record.compressor = "libdeflate-6";
    record.key_text = "key text of " + key;
    const RemoteEntry entry = encode_remote_record(key, record);
    remote->objects["ac/" + key] = entry.action_result;
    remote->objects["cas/" + entry.record_sha256] = entry.record_text;
    remote->objects["cas/" + record.blob_sha256] = blob;
    return record;
  }
  fs::path blob_file(const std::string& bytes) {
    const fs::path p = dir.path() / ("blob-" + std::to_string(++files));
    EXPECT_TRUE(write_file_atomic(p, bytes));
    return p;
  }

  TempDir dir = TempDir::create("unused-").value();
  std::unique_ptr<LocalStore> local;
  MemoryBackend* remote = nullptr;
  net::ManualClock clock{std::chrono::system_clock::from_time_t(1'700'000'000)};
  std::unique_ptr<TieredStore> store;
  int files = 0;
};

const std::string k_key = to_hex(sha256("action"));

TEST_F(Tiered, RemoteHitIsVerifiedAndStoredLocally) {
  const OutputRecord record = seed(k_key, "artifact bytes");
  auto hit = store->lookup(k_key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->source, TieredStore::Source::remote);
  EXPECT_EQ(hit->record, record);
  // Now local: the second lookup does not touch the remote.
  const size_t calls = remote->log.size();
  auto again = store->lookup(k_key);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->source, TieredStore::Source::local);
  EXPECT_EQ(remote->log.size(), calls);
  ASSERT_TRUE(local->fetch_blob(record.blob_sha256, dir.path() / "out.zip"));
  EXPECT_EQ(read_file(dir.path() / "out.zip").value(), "artifact bytes");
  const auto c = store->counters();
  EXPECT_EQ(c.hits, 1u);
  EXPECT_EQ(c.misses, 0u);
  EXPECT_GT(c.bytes_down, 0u);
}

TEST_F(Tiered, WrongBytesAreAMissAWarningAndACounterNeverAnArtifact) {
  const OutputRecord record = seed(k_key, "artifact bytes");
  remote->objects["cas/" + record.blob_sha256] = "poisoned bytes";  // same length, other content
  EXPECT_FALSE(store->lookup(k_key));
  EXPECT_FALSE(local->lookup(k_key));  // nothing stored locally
  const auto c = store->counters();
  EXPECT_EQ(c.corrupt, 1u);
  EXPECT_EQ(c.misses, 1u);
  auto warnings = store->take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("do not match"), std::string::npos) << warnings[0];
  EXPECT_TRUE(store->remote_enabled());  // one bad entry is not a broken remote
  ASSERT_TRUE(store->first_failure());
  EXPECT_EQ(store->first_failure()->code(), ErrorCode::corrupt);
}

TEST_F(Tiered, ARecordForAnotherKeyIsCorrupt) {
  const std::string other = to_hex(sha256("other"));
  seed(other, "x");
  remote->objects["ac/" + k_key] = remote->objects["ac/" + other];
  EXPECT_FALSE(store->lookup(k_key));
  EXPECT_EQ(store->counters().corrupt, 1u);
}

TEST_F(Tiered, AbsentIsAPlainMiss) {
  EXPECT_FALSE(store->lookup(k_key));
  EXPECT_TRUE(store->take_warnings().empty());
  EXPECT_FALSE(store->first_failure());
  EXPECT_EQ(store->counters().misses, 1u);
  EXPECT_EQ(store->counters().errors, 0u);
}

TEST_F(Tiered, ATimeoutSwitchesTheRemoteOffWithOneWarning) {
  remote->fail_all =
      Error(ErrorCode::timeout, "remote cache GET http://127.0.0.1:1/ac/x: no answer in time");
  EXPECT_FALSE(store->lookup(k_key));
  EXPECT_FALSE(store->lookup(to_hex(sha256("second"))));
  EXPECT_FALSE(store->remote_enabled());
  EXPECT_EQ(remote->log.size(), 1u);  // the second lookup never reached the remote
  auto warnings = store->take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("mem://test switched off for this run (timeout)"), std::string::npos)
      << warnings[0];
  // Writes are not attempted either.
  ASSERT_TRUE(store->store(
      k_key, OutputRecord{to_hex(sha256("z")), std::string(32, '0'), 1, 0, 0, "c", "k"},
      blob_file("z")));
  store->flush();
  EXPECT_EQ(remote->log.size(), 1u);
  EXPECT_EQ(store->first_failure()->code(), ErrorCode::timeout);
}

TEST_F(Tiered, UnauthorizedSwitchesOffAndItsMessageHasNoSecret) {
  remote->fail_all = Error(
      ErrorCode::unauthorized,
      "remote cache GET https://cache/ac/x: HTTP 403 (AccessDenied: key AKIAIOSFODNN7EXAMPLE)");
  EXPECT_FALSE(store->lookup(k_key));
  auto warnings = store->take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("(unauthorized)"), std::string::npos);
  EXPECT_EQ(warnings[0].find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
}

TEST_F(Tiered, WriteThroughPutsBlobsBeforeTheRecord) {
  OutputRecord record{
      to_hex(sha256("built zip")), std::string(32, '0'), 9, 20, 2, "libdeflate-6", "text"};
  ASSERT_TRUE(store->store(k_key, record, blob_file("built zip")));
  store->flush();
  std::vector<std::string> puts;
  for (const auto& op : remote->log)
    if (op.starts_with("PUT")) puts.push_back(op);
  ASSERT_EQ(puts.size(), 3u);
  EXPECT_EQ(puts[0], "PUT cas/" + record.blob_sha256);
  EXPECT_TRUE(puts[1].starts_with("PUT cas/"));
  EXPECT_EQ(puts[2], "PUT ac/" + k_key);
  EXPECT_EQ(store->counters().uploads, 1u);
  EXPECT_EQ(store->counters().bytes_up,
            9u + remote->objects["ac/" + k_key].size() + remote->objects[puts[1].substr(4)].size());

  // What was uploaded reads back as a verified remote hit in a fresh cache ("machine 2").
  auto dir2 = TempDir::create("lpack-tiered2-").value();
  auto local2 = LocalStore::open(dir2.path()).value();
  auto shared = std::make_unique<MemoryBackend>();
  shared->objects = remote->objects;
  TieredStore second(*local2, std::move(shared), {}, clock);
  auto hit = second.lookup(k_key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->source, TieredStore::Source::remote);
  EXPECT_EQ(hit->record, record);
}

TEST_F(Tiered, AnExistingBlobIsNotUploadedAgain) {
  OutputRecord record{
      to_hex(sha256("built zip")), std::string(32, '0'), 9, 20, 2, "libdeflate-6", "text"};
  remote->objects["cas/" + record.blob_sha256] = "built zip";
  ASSERT_TRUE(store->store(k_key, record, blob_file("built zip")));
  store->flush();
  for (const auto& op : remote->log) EXPECT_NE(op, "PUT cas/" + record.blob_sha256);
}

TEST_F(Tiered, ReadOnlyMakesNoWriteRequest) {
  auto dir2 = TempDir::create("lpack-tiered-ro-").value();
  auto local2 = LocalStore::open(dir2.path()).value();
  auto backend = std::make_unique<MemoryBackend>();
  MemoryBackend* ro = backend.get();
  TieredStore read_only(*local2, std::move(backend), TieredOptions{.write = false}, clock);
  EXPECT_FALSE(read_only.lookup(k_key));
  OutputRecord record{
      to_hex(sha256("built zip")), std::string(32, '0'), 9, 20, 2, "libdeflate-6", "text"};
  ASSERT_TRUE(read_only.store(k_key, record, blob_file("built zip")));
  read_only.flush();
  for (const auto& op : ro->log) EXPECT_FALSE(op.starts_with("PUT")) << op;
  EXPECT_TRUE(local2->lookup(k_key));  // stored locally all the same
}

TEST_F(Tiered, ManyStoresThroughASmallQueue) {
  auto dir2 = TempDir::create("lpack-tiered-q-").value();
  auto local2 = LocalStore::open(dir2.path()).value();
  auto backend = std::make_unique<MemoryBackend>();
  MemoryBackend* mem = backend.get();
  {
    TieredStore small(*local2, std::move(backend),
                      TieredOptions{.write = true, .queue_capacity = 1}, clock);
    for (int i = 0; i < 10; ++i) {
      const std::string bytes = "zip " + std::to_string(i);
      OutputRecord record{
          to_hex(sha256(bytes)), std::string(32, '0'), bytes.size(), 0, 0, "c", "k"};
      ASSERT_TRUE(
          small.store(to_hex(sha256("key " + std::to_string(i))), record, blob_file(bytes)));
    }
    small.flush();
    EXPECT_EQ(small.counters().uploads, 10u);
    size_t records = 0;
    for (const auto& [name, bytes] : mem->objects) records += name.starts_with("ac/");
    EXPECT_EQ(records, 10u);
  }
}

TEST(CacheRemoteBackend, FailureKinds) {
  EXPECT_EQ(remote_failure(Error(ErrorCode::not_found, "")), RemoteFailure::not_found);
  EXPECT_EQ(remote_failure(Error(ErrorCode::timeout, "")), RemoteFailure::timeout);
  EXPECT_EQ(remote_failure(Error(ErrorCode::unauthorized, "")), RemoteFailure::unauthorized);
  EXPECT_EQ(remote_failure(Error(ErrorCode::corrupt, "")), RemoteFailure::corrupt);
  EXPECT_EQ(remote_failure(Error(ErrorCode::unreachable, "")), RemoteFailure::other);
  EXPECT_EQ(remote_failure(Error(ErrorCode::tls, "")), RemoteFailure::other);
  EXPECT_EQ(remote_failure(Error(ErrorCode::remote, "")), RemoteFailure::other);
}

TEST(CacheRemoteBackend, Netrc) {
  const std::string netrc =
      "# team cache\nmachine cache.example login alice password \"p w\"\n"
      "machine other login bob password x\ndefault login anon password guest\n";
  auto alice = netrc_lookup(netrc, "cache.example");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->login, "alice");
  EXPECT_EQ(alice->password, "p w");
  EXPECT_EQ(netrc_lookup(netrc, "nowhere")->login, "anon");
  EXPECT_FALSE(netrc_lookup("machine a login b password c", "z"));
}

struct HttpBackendFixture : ::testing::Test {
  test::FakeTransport transport;
  net::ManualClock clock{std::chrono::system_clock::from_time_t(1'700'000'000)};
  TempDir home = TempDir::create("lpack-home-").value();
  RemoteContext context(net::Environment env = {}) {
    return RemoteContext{
        .aws = {
            .env = std::move(env), .home = home.path(), .transport = &transport, .clock = &clock}};
  }
};

TEST_F(HttpBackendFixture, LayoutAndBasicAuthFromTheUrl) {
  auto backend = open_remote_backend("https://alice:s%3Acret@cache.example:8443/team/", context());
  ASSERT_TRUE(backend) << backend.error().message();
  EXPECT_EQ((*backend)->describe(), "https://cache.example:8443/team");
  transport.push(test::response(404));
  auto record = (*backend)->get_record(k_key);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code(), ErrorCode::not_found);
  EXPECT_EQ(record.error().message().find("s%3Acret"), std::string::npos);
  EXPECT_EQ(record.error().message().find("alice"), std::string::npos);
  const auto sent = transport.requests();
  EXPECT_EQ(sent[0].url, "https://cache.example:8443/team/ac/" + k_key);
  EXPECT_EQ(net::find_header(sent[0].headers, "Authorization"),
            "Basic YWxpY2U6czpjcmV0");  // alice:s:cret
}

TEST_F(HttpBackendFixture, BearerTokenFromTheEnvironmentAndNetrcFallback) {
  auto bearer = open_remote_backend("http://127.0.0.1:8080",
                                    context({{"LPACK_REMOTE_CACHE_TOKEN", "tok123"}}));
  ASSERT_TRUE(bearer);
  transport.push(test::response(200));
  EXPECT_TRUE((*bearer)->has_blob(std::string(64, 'a')).value());
  EXPECT_EQ(net::find_header(transport.requests()[0].headers, "Authorization"), "Bearer tok123");
  EXPECT_EQ(transport.requests()[0].method, "HEAD");
  EXPECT_EQ(transport.requests()[0].url, "http://127.0.0.1:8080/cas/" + std::string(64, 'a'));

  ASSERT_TRUE(
      write_file_atomic(home.path() / ".netrc", "machine 127.0.0.1 login bob password pw\n"));
  auto netrc = open_remote_backend("http://127.0.0.1:8080/c", context());
  ASSERT_TRUE(netrc);
  transport.push(test::response(201));
  ASSERT_TRUE((*netrc)->put_blob_bytes(std::string(64, 'b'), "bytes"));
  const auto put = transport.requests()[1];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.body.length(), 5u);
  EXPECT_EQ(net::find_header(put.headers, "Authorization"), "Basic Ym9iOnB3");  // bob:pw
}

TEST_F(HttpBackendFixture, StatusesAreTyped) {
  auto backend = open_remote_backend("http://127.0.0.1:8080", context()).value();
  transport.push(test::response(401));
  transport.push(test::response(403));
  transport.push(test::response(500));
  transport.push(test::response(204));
  EXPECT_EQ(backend->get_record(k_key).error().code(), ErrorCode::unauthorized);
  EXPECT_EQ(backend->has_blob(k_key).error().code(), ErrorCode::unauthorized);  // never "absent"
  EXPECT_EQ(backend->put_record(k_key, "x").error().code(), ErrorCode::remote);
  EXPECT_TRUE(backend->put_record(k_key, "x"));  // any 2xx
}

TEST_F(HttpBackendFixture, BadRemoteUrls) {
  for (const char* bad :
       {"ftp://u:pw@h/x", "s3://", "s3://Bad_Bucket/x", "http://u:pw@h/x?q=1", "cache", "u:pw@h"}) {
    auto backend = open_remote_backend(bad, context());
    ASSERT_FALSE(backend) << bad;
    EXPECT_EQ(backend.error().code(), ErrorCode::bad_usage);
    EXPECT_EQ(backend.error().message().find(":pw"), std::string::npos)
        << backend.error().message();
  }
}

}  // namespace
}  // namespace lpack::cache
