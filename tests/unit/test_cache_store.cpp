#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "cache/file_hasher.hpp"
#include "cache/store.hpp"
#include "cache/store_format.hpp"

namespace lpack::cache {
namespace {

std::string key_of(std::string_view name) {
  return to_hex(sha256(name));
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

void set_mtime(const fs::path& path, int64_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class CacheStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-store-");
    ASSERT_TRUE(dir.has_value());
    m_dir.emplace(std::move(*dir));
    fs::create_directories(m_dir->path() / "blobs");
    fs::create_directories(m_dir->path() / "out");
    auto store = LocalStore::open(root());
    ASSERT_TRUE(store.has_value()) << store.error().message();
    m_store = std::move(*store);
  }

  fs::path root() const { return m_dir->path() / "cache"; }
  fs::path out(std::string_view name) const { return m_dir->path() / "out" / std::string(name); }

  // A blob file with `content` and the record that describes it.
  std::pair<fs::path, OutputRecord> blob(const std::string& content, std::string key_text = "k") {
    fs::path path = m_dir->path() / "blobs" / to_hex(sha256(content));
    EXPECT_TRUE(write_file_atomic(path, content).has_value());
    OutputRecord record;
    record.blob_sha256 = to_hex(sha256(content));
    record.blob_xxh3 = to_hex(hash_bytes(content));
    record.size = content.size();
    record.unpacked_size = content.size() * 3;
    record.entries = 7;
    record.compressor = "libdeflate-6";
    record.key_text = std::move(key_text);
    return {path, record};
  }

  OutputRecord put(std::string_view key, const std::string& content) {
    auto [path, record] = blob(content);
    auto stored = m_store->store(key, record, path);
    EXPECT_TRUE(stored.has_value()) << stored.error().message();
    return record;
  }

  fs::path record_path(std::string_view key) const {
    return root() / "ac" / std::string(key.substr(0, 2)) / std::string(key);
  }
  fs::path blob_path(std::string_view sha) const {
    return root() / "cas" / std::string(sha.substr(0, 2)) / std::string(sha);
  }

  std::optional<TempDir> m_dir;
  std::unique_ptr<LocalStore> m_store;
};

TEST_F(CacheStore, OpenCreatesTheLayout) {
  for (const char* sub : {"ac", "cas", "tmp", "last"}) EXPECT_TRUE(fs::is_directory(root() / sub));
  EXPECT_TRUE(fs::exists(root() / "CACHEDIR.TAG"));
  EXPECT_EQ(m_store->stat_cache_path(), root() / "statcache");
  EXPECT_TRUE(LocalStore::open(root()).has_value());  // idempotent
}

TEST_F(CacheStore, StoreLookupFetchRoundTrip) {
  std::string key = key_of("function");
  std::string key_text = "lpack-action-key 1\nruntime python3.12\ninput 644 00 app.py\n";
  auto [path, record] = blob("zip bytes \n checksum 0000000000000000\n", key_text);
  ASSERT_TRUE(m_store->store(key, record, path).has_value());

  auto found = m_store->lookup(key);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, record);
  ASSERT_TRUE(m_store->fetch_blob(found->blob_sha256, out("function.zip")).has_value());
  EXPECT_EQ(*read_file(out("function.zip")), *read_file(path));
  EXPECT_FALSE(m_store->lookup(key_of("other")).has_value());
  EXPECT_TRUE(m_store->take_warnings().empty());

  auto stats = m_store->stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->blobs, 1u);
  EXPECT_EQ(stats->bytes, fs::file_size(record_path(key)) + record.size);
  auto report = m_store->verify();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->checked, 2u);
  EXPECT_TRUE(report->corrupt.empty()) << joined(report->corrupt);
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
}

TEST_F(CacheStore, StoringTwiceAndSharingBlobsIsFine) {
  OutputRecord a = put(key_of("a"), "same");
  OutputRecord b = put(key_of("b"), "same");
  put(key_of("a"), "same");
  EXPECT_EQ(m_store->stats()->records, 2u);
  EXPECT_EQ(m_store->stats()->blobs, 1u);
  EXPECT_EQ(*m_store->lookup(key_of("a")), a);
}

TEST_F(CacheStore, StoreRejectsABlobThatDoesNotMatchItsRecord) {
  auto [path, record] = blob("content");
  record.blob_sha256 = key_of("something else");
  auto stored = m_store->store(key_of("k"), record, path);
  ASSERT_FALSE(stored.has_value());
  EXPECT_EQ(stored.error().code(), ErrorCode::internal);
  EXPECT_FALSE(m_store->lookup(key_of("k")).has_value());
  EXPECT_EQ(m_store->stats()->blobs, 0u);
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
  EXPECT_FALSE(m_store->store("not-a-key", record, path).has_value());
}

TEST_F(CacheStore, CorruptBlobIsDetectedRemovedAndReported) {
  std::string key = key_of("k");
  OutputRecord record = put(key, std::string(5000, 'z'));
  {
    // Flip one byte, keeping the size.
    UniqueFd fd(::open(blob_path(record.blob_sha256).c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    ASSERT_EQ(::pwrite(fd.get(), "y", 1, 1234), 1);
  }
  auto report = m_store->verify();
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->corrupt.size(), 1u) << joined(report->corrupt);
  EXPECT_NE(
      report->corrupt[0].find("cas/" + record.blob_sha256.substr(0, 2) + "/" + record.blob_sha256),
      std::string::npos);

  ASSERT_TRUE(m_store->lookup(key).has_value());  // the size still matches: fetch finds out
  auto fetched = m_store->fetch_blob(record.blob_sha256, out("function.zip"));
  ASSERT_FALSE(fetched.has_value());
  EXPECT_EQ(fetched.error().code(), ErrorCode::corrupt);
  EXPECT_FALSE(fs::exists(blob_path(record.blob_sha256)));
  EXPECT_TRUE(fs::is_empty(m_dir->path() / "out"));  // nothing half-written
  EXPECT_NE(fetched.error().message().find(record.blob_sha256), std::string::npos);
  EXPECT_TRUE(m_store->take_warnings().empty());  // the error is the one report

  // Now the record points at nothing: a miss, listed by verify, removed by gc.
  EXPECT_FALSE(m_store->lookup(key).has_value());
  report = m_store->verify();
  ASSERT_EQ(report->corrupt.size(), 1u);
  EXPECT_NE(report->corrupt[0].find("missing"), std::string::npos);
  auto gc = m_store->gc(UINT64_MAX);
  ASSERT_TRUE(gc.has_value());
  EXPECT_EQ(gc->removed_records, 1u);
  EXPECT_TRUE(m_store->verify()->corrupt.empty());

  // A missing blob is a corrupt error too: the caller rebuilds.
  auto missing = m_store->fetch_blob(record.blob_sha256, out("function.zip"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::corrupt);
}

TEST_F(CacheStore, TruncatedBlobIsAMissWithAWarning) {
  std::string key = key_of("k");
  OutputRecord record = put(key, "0123456789");
  fs::resize_file(blob_path(record.blob_sha256), 4);
  EXPECT_FALSE(m_store->lookup(key).has_value());
  EXPECT_FALSE(fs::exists(blob_path(record.blob_sha256)));
  EXPECT_EQ(m_store->take_warnings().size(), 1u);
}

TEST_F(CacheStore, CorruptRecordIsAMissWithAWarning) {
  std::string key = key_of("k");
  OutputRecord record = put(key, "blob");
  std::string good = *read_file(record_path(key));
  std::string flipped = good;
  flipped[20] = static_cast<char>(flipped[20] ^ 1);
  for (const std::string& bytes :
       {flipped, good.substr(0, good.size() / 2), std::string(), std::string("\n\n\n"),
        format::seal("lpack-record " + std::to_string(format::k_record_version) + "\nkey " + key +
                     "\n")}) {
    ASSERT_TRUE(write_file_atomic(record_path(key), bytes).has_value());
    EXPECT_FALSE(m_store->lookup(key).has_value());
    EXPECT_FALSE(fs::exists(record_path(key)));
    auto warnings = m_store->take_warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("corrupt cache record"), std::string::npos);
  }
  // A sound record filed under another key is not served either.
  std::string other = key_of("other");
  ASSERT_TRUE(
      write_file_atomic(record_path(key), format::encode_record(other, record)).has_value());
  EXPECT_FALSE(m_store->lookup(key).has_value());
  EXPECT_EQ(m_store->take_warnings().size(), 1u);
}

// blob_xxh3 is what a no-op build compares --out with; verify checks it against the blob.
TEST_F(CacheStore, VerifyReportsARecordWhoseXxh3DoesNotMatchItsBlob) {
  std::string key = key_of("k");
  OutputRecord record = put(key, "blob bytes");
  ASSERT_TRUE(m_store->verify()->corrupt.empty());
  OutputRecord wrong = record;
  wrong.blob_xxh3 = to_hex(hash_bytes("other bytes"));
  ASSERT_TRUE(write_file_atomic(record_path(key), format::encode_record(key, wrong)).has_value());
  auto report = m_store->verify();
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->corrupt.size(), 1u);
  EXPECT_NE(report->corrupt[0].find("blob_xxh3 " + wrong.blob_xxh3 + " does not match its blob"),
            std::string::npos)
      << report->corrupt[0];
}

TEST_F(CacheStore, RecordOfAnotherVersionIsAMissLeftInPlace) {
  std::string key = key_of("k");
  put(key, "blob");
  ASSERT_TRUE(write_file_atomic(
                  record_path(key),
                  format::seal("lpack-record " + std::to_string(format::k_record_version + 1) +
                               "\nnew fields\n"))
                  .has_value());
  EXPECT_FALSE(m_store->lookup(key).has_value());
  EXPECT_TRUE(fs::exists(record_path(key)));
  EXPECT_TRUE(m_store->take_warnings().empty());
  EXPECT_TRUE(m_store->verify()->corrupt.empty());
}

TEST_F(CacheStore, HalfWrittenTemporariesAreIgnoredAndSwept) {
  std::string key = key_of("k");
  OutputRecord record = put(key, "blob");
  ASSERT_TRUE(write_file_atomic(root() / "tmp" / "w.ABCDEF", "half a zi").has_value());
  fs::create_directories(root() / "tmp" / "w.dir");
  EXPECT_EQ(*m_store->lookup(key), record);
  EXPECT_EQ(m_store->stats()->records, 1u);
  EXPECT_TRUE(m_store->verify()->corrupt.empty());
  auto gc = m_store->gc(UINT64_MAX);
  ASSERT_TRUE(gc.has_value());
  EXPECT_EQ(gc->removed_records, 0u);
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
  EXPECT_EQ(*m_store->lookup(key), record);

  ASSERT_TRUE(write_file_atomic(root() / "tmp" / "w.GHIJKL", "half").has_value());
  ASSERT_TRUE(m_store->clear().has_value());
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
}

TEST_F(CacheStore, GcRemovesLeastRecentlyUsedFirst) {
  std::string k1 = key_of("1"), k2 = key_of("2"), k3 = key_of("3");
  put(k1, std::string(1000, '1'));
  put(k2, std::string(1000, '2'));
  put(k3, std::string(1000, '3'));
  set_mtime(record_path(k1), 1'000'000);
  set_mtime(record_path(k2), 2'000'000);
  set_mtime(record_path(k3), 3'000'000);
  ASSERT_TRUE(m_store->lookup(k1).has_value());  // a hit makes k1 the most recent
  uint64_t total = m_store->stats()->bytes;

  auto gc = m_store->gc(total - 1);
  ASSERT_TRUE(gc.has_value());
  EXPECT_EQ(gc->removed_records, 1u);
  EXPECT_EQ(gc->removed_blobs, 1u);
  EXPECT_EQ(gc->bytes_before, total);
  EXPECT_LT(gc->bytes_after, total);
  EXPECT_EQ(gc->bytes_after, m_store->stats()->bytes);
  EXPECT_FALSE(m_store->lookup(k2).has_value());
  EXPECT_TRUE(m_store->lookup(k3).has_value());
  EXPECT_TRUE(m_store->lookup(k1).has_value());

  gc = m_store->gc(0);
  EXPECT_EQ(gc->removed_records, 2u);
  EXPECT_EQ(gc->bytes_after, 0u);
  EXPECT_EQ(m_store->stats()->blobs, 0u);
}

TEST_F(CacheStore, GcKeepsABlobWhileARecordUsesIt) {
  std::string old_key = key_of("old"), new_key = key_of("new");
  OutputRecord record = put(old_key, std::string(1000, 's'));
  put(new_key, std::string(1000, 's'));
  set_mtime(record_path(old_key), 1'000'000);
  uint64_t total = m_store->stats()->bytes;
  auto gc = m_store->gc(total - 1);
  EXPECT_EQ(gc->removed_records, 1u);
  EXPECT_EQ(gc->removed_blobs, 0u);
  EXPECT_TRUE(fs::exists(blob_path(record.blob_sha256)));
  EXPECT_TRUE(m_store->lookup(new_key).has_value());
}

TEST_F(CacheStore, GcRemovesBlobsNoRecordReferences) {
  OutputRecord record = put(key_of("k"), "blob");
  fs::remove(record_path(key_of("k")));
  auto gc = m_store->gc(UINT64_MAX);
  EXPECT_EQ(gc->removed_blobs, 1u);
  EXPECT_FALSE(fs::exists(blob_path(record.blob_sha256)));
}

TEST_F(CacheStore, ClearRemovesEverythingButTheCounters) {
  put(key_of("k"), "blob");
  ASSERT_TRUE(m_store->remember_last("slot1", "text").has_value());
  ASSERT_TRUE(write_file_atomic(m_store->stat_cache_path(), "x").has_value());
  m_store->count_hit();
  ASSERT_TRUE(m_store->clear().has_value());
  auto stats = m_store->stats();
  EXPECT_EQ(stats->records, 0u);
  EXPECT_EQ(stats->blobs, 0u);
  EXPECT_EQ(stats->bytes, 0u);
  EXPECT_EQ(stats->hits, 1u);
  EXPECT_FALSE(m_store->last("slot1").has_value());
  EXPECT_FALSE(fs::exists(m_store->stat_cache_path()));
  put(key_of("k"), "blob");  // still usable
  EXPECT_TRUE(m_store->lookup(key_of("k")).has_value());
}

TEST_F(CacheStore, CountersPersist) {
  m_store->count_hit();
  m_store->count_hit();
  m_store->count_hit();
  m_store->count_miss();
  m_store->count_miss();
  auto other = LocalStore::open(root());
  auto stats = (*other)->stats();
  EXPECT_EQ(stats->hits, 3u);
  EXPECT_EQ(stats->misses, 2u);

  ASSERT_TRUE(write_file_atomic(root() / "stats", "lpack-stats 1\nhits 99\n").has_value());
  m_store->count_miss();
  EXPECT_EQ(m_store->take_warnings().size(), 1u);
  EXPECT_EQ(m_store->stats()->hits, 0u);
  EXPECT_EQ(m_store->stats()->misses, 1u);
}

TEST_F(CacheStore, RemembersTheLastKeyTextOfASlot) {
  EXPECT_FALSE(m_store->last("abc123").has_value());
  std::string text = "lpack-action-key 1\nruntime python3.12\nchecksum 0123456789abcdef\n";
  ASSERT_TRUE(m_store->remember_last("abc123", text).has_value());
  EXPECT_EQ(m_store->last("abc123"), text);
  ASSERT_TRUE(m_store->remember_last("abc123", "second").has_value());
  EXPECT_EQ(m_store->last("abc123"), "second");
  EXPECT_FALSE(m_store->remember_last("../escape", "x").has_value());
  EXPECT_FALSE(m_store->last("../escape").has_value());

  ASSERT_TRUE(
      write_file_atomic(root() / "last" / "abc123", "lpack-last 1\nkey_text 3\nabc\n").has_value());
  EXPECT_FALSE(m_store->last("abc123").has_value());
  EXPECT_EQ(m_store->take_warnings().size(), 1u);
}

TEST_F(CacheStore, ConcurrentThreadsNeverCorruptTheCache) {
  constexpr int k_threads = 8;
  constexpr int k_rounds = 25;
  // Four keys every thread stores and reads, plus one key per thread.
  std::vector<std::pair<std::string, std::string>> shared;  // key, content
  for (int i = 0; i < 4; ++i)
    shared.emplace_back(key_of("shared" + std::to_string(i)), std::string(3000 + i, char('a' + i)));
  std::vector<std::pair<fs::path, OutputRecord>> shared_blobs;
  for (const auto& [key, content] : shared) shared_blobs.push_back(blob(content));
  std::vector<std::pair<fs::path, OutputRecord>> own_blobs;
  for (int t = 0; t < k_threads; ++t)
    own_blobs.push_back(blob("own content of thread " + std::to_string(t)));

  std::atomic<int> failures{0};
  std::atomic<int> fetched_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      // Half share one LocalStore; half open their own.
      std::unique_ptr<LocalStore> own;
      LocalStore* store = m_store.get();
      if (t % 2 == 1) {
        own = std::move(*LocalStore::open(root()));
        store = own.get();
      }
      fs::path dest = out("t" + std::to_string(t) + ".zip");
      for (int round = 0; round < k_rounds; ++round) {
        if (t == 0 && round % 5 == 0) {
          // Squeeze the cache now and then while the others work.
          if (!store->gc(8000)) ++failures;
          continue;
        }
        size_t i = static_cast<size_t>(round + t) % shared.size();
        const auto& [path, record] = shared_blobs[i];
        std::string own_key = key_of("own" + std::to_string(t));
        if (!store->store(shared[i].first, record, path)) ++failures;
        if (!store->store(own_key, own_blobs[t].second, own_blobs[t].first)) ++failures;
        using Expected = std::pair<std::string, const OutputRecord*>;
        for (const auto& [key, expected] :
             {Expected{shared[i].first, &record}, Expected{own_key, &own_blobs[t].second}}) {
          auto found = store->lookup(key);
          if (!found) continue;  // gc may have run in between
          if (*found != *expected) ++failures;
          auto fetched = store->fetch_blob(found->blob_sha256, dest);
          if (!fetched) continue;  // gc may have removed it since the lookup
          if (to_hex(*sha256_file(dest)) != expected->blob_sha256) ++failures;
          ++fetched_ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(fetched_ok.load(), k_threads * k_rounds / 2);  // the cache did serve hits
  auto warnings = m_store->take_warnings();
  EXPECT_EQ(joined(warnings).find("corrupt"), std::string::npos) << joined(warnings);
  auto report = m_store->verify();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->corrupt.empty()) << joined(report->corrupt);
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
}

TEST_F(CacheStore, ConcurrentProcessesNeverCorruptTheCache) {
  constexpr int k_processes = 4;
  std::vector<std::pair<fs::path, OutputRecord>> blobs;
  for (int i = 0; i < 3; ++i) blobs.push_back(blob(std::string(2000 + i, char('p' + i))));
  std::vector<pid_t> children;
  for (int p = 0; p < k_processes; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      auto store = LocalStore::open(root());
      if (!store) ::_exit(10);
      fs::path dest = out("p" + std::to_string(p) + ".zip");
      for (int round = 0; round < 20; ++round) {
        if (p == 0 && round % 4 == 0) {
          if (!(*store)->gc(3000)) status = 11;
          continue;
        }
        const auto& [path, record] = blobs[static_cast<size_t>(round + p) % blobs.size()];
        std::string key = key_of(record.blob_sha256);
        if (!(*store)->store(key, record, path)) status = 12;
        (*store)->count_hit();
        if (auto found = (*store)->lookup(key)) {
          if (*found != record) status = 13;
          if ((*store)->fetch_blob(found->blob_sha256, dest) &&
              to_hex(*sha256_file(dest)) != record.blob_sha256) {
            status = 14;
          }
        }
      }
      if (joined((*store)->take_warnings()).find("corrupt") != std::string::npos) status = 15;
      ::_exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto report = m_store->verify();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->corrupt.empty()) << joined(report->corrupt);
  EXPECT_EQ(m_store->stats()->hits, static_cast<uint64_t>(k_processes * 20 - 5));
  EXPECT_TRUE(fs::is_empty(root() / "tmp"));
}

TEST(CacheParseSize, AcceptsDecimalAndBinaryUnits) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"1024", 1024},
      {"0", 0},
      {"500M", 500'000'000},
      {"2G", 2'000'000'000},
      {"2g", 2'000'000'000},
      {"100MB", 100'000'000},
      {"10KiB", 10240},
      {"10Ki", 10240},
      {"2GiB", 2ULL << 30},
      {"1.5G", 1'500'000'000},
      {"1T", 1'000'000'000'000},
      {"12B", 12},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_size(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(CacheParseSize, RejectsNonsense) {
  for (const char* text : {"", "M", "12X", "1.5", "-1", "1..5G", "1.G", "99999999999999999999",
                           "20000000000G", " 5M", "5 M"}) {
    auto parsed = parse_size(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::bad_usage);
    EXPECT_NE(parsed.error().message().find(text), std::string::npos);
  }
}

TEST(CacheDefaultDir, PrefersXdgCacheHomeThenHome) {
  EXPECT_EQ(default_cache_dir({{"XDG_CACHE_HOME", "/x/cache"}, {"HOME", "/home/u"}}),
            fs::path("/x/cache/lpack"));
  EXPECT_EQ(default_cache_dir({{"XDG_CACHE_HOME", "relative"}, {"HOME", "/home/u"}}),
            fs::path("/home/u/.cache/lpack"));
  EXPECT_EQ(default_cache_dir({{"HOME", "/home/u"}}), fs::path("/home/u/.cache/lpack"));
  EXPECT_EQ(default_cache_dir({}), fs::path());
  EXPECT_FALSE(LocalStore::open(fs::path()).has_value());
}

}  // namespace
}  // namespace lpack::cache
