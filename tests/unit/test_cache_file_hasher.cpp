#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <xxhash.h>

#include <map>
#include <optional>
#include <random>
#include <string>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "cache/file_hasher.hpp"
#include "cache/stat_cache.hpp"

namespace lpack::cache {
namespace {

constexpr int64_t k_second = 1'000'000'000;

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

Hash128 reference_xxh3(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return {h.high64, h.low64};
}

class CacheFileHasher : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-hasher-");
    ASSERT_TRUE(dir.has_value());
    m_dir = std::move(*dir);
    // Around the 256 KiB read buffer, plus empty, tiny and multi-buffer files.
    const size_t sizes[] = {0, 1, 1000, 262143, 262144, 262145, 1048576 + 7, 3 * 262144};
    unsigned seed = 1;
    for (size_t size : sizes) {
      std::string name = "dir/f" + std::to_string(size) + ".bin";
      m_contents[name] = random_bytes(size, seed++);
    }
    fs::create_directories(m_dir->path() / "dir");
    for (const auto& [name, content] : m_contents) {
      ASSERT_TRUE(write_file_atomic(m_dir->path() / name, content).has_value());
    }
  }

  std::vector<TreeEntry> walk() {
    WalkOptions options;
    options.with_dirs = true;
    auto entries = walk_tree(m_dir->path(), options);
    EXPECT_TRUE(entries.has_value());
    return std::move(*entries);
  }

  std::optional<TempDir> m_dir;
  std::map<std::string, std::string> m_contents;
};

TEST_F(CacheFileHasher, EqualsXxh3OfTheContents) {
  HashStats stats;
  auto digests = hash_files(walk(), nullptr, 0, &stats);
  ASSERT_TRUE(digests.has_value());
  ASSERT_EQ(digests->size(), m_contents.size());  // the folder entry is skipped
  uint64_t total = 0;
  for (const auto& d : *digests) {
    const std::string& content = m_contents.at(d.path);
    EXPECT_EQ(d.hash, reference_xxh3(content)) << d.path;
    EXPECT_EQ(d.hash, hash_bytes(content)) << d.path;
    EXPECT_EQ(d.size, content.size());
    total += content.size();
  }
  EXPECT_EQ(stats.files, m_contents.size());
  EXPECT_EQ(stats.bytes_read, total);
  EXPECT_EQ(stats.stat_cache_hits, 0u);
}

TEST_F(CacheFileHasher, SameResultForOneAndFourThreads) {
  // Four real threads even on a 2-core machine, where TBB would otherwise cap the arena.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  auto entries = walk();
  auto one = hash_files(entries, nullptr, 1);
  auto four = hash_files(entries, nullptr, 4);
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(four.has_value());
  ASSERT_EQ(one->size(), four->size());
  for (size_t i = 0; i < one->size(); ++i) {
    EXPECT_EQ((*one)[i].path, (*four)[i].path);
    EXPECT_EQ((*one)[i].hash, (*four)[i].hash);
  }
}

TEST_F(CacheFileHasher, StatCacheSkipsUnchangedFiles) {
  StatCache cache;
  auto entries = walk();
  // A clock well after the files were written, so their records are trusted.
  int64_t later = wall_clock_ns() + 10 * k_second;
  HashStats first_stats;
  auto first = hash_files(entries, &cache, 2, &first_stats, later);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first_stats.stat_cache_hits, 0u);

  HashStats second_stats;
  auto second = hash_files(walk(), &cache, 2, &second_stats, later);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second_stats.stat_cache_hits, m_contents.size());
  EXPECT_EQ(second_stats.bytes_read, 0u);
  for (size_t i = 0; i < first->size(); ++i) EXPECT_EQ((*first)[i].hash, (*second)[i].hash);

  // An edited file is read again; the others still come from the stat cache.
  m_contents["dir/f1.bin"] = "xy";
  ASSERT_TRUE(write_file_atomic(m_dir->path() / "dir/f1.bin", "xy").has_value());
  HashStats third_stats;
  auto third = hash_files(walk(), &cache, 2, &third_stats, later);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third_stats.stat_cache_hits, m_contents.size() - 1);
  EXPECT_EQ(third_stats.bytes_read, 2u);
  for (const auto& d : *third) EXPECT_EQ(d.hash, hash_bytes(m_contents.at(d.path))) << d.path;
}

TEST_F(CacheFileHasher, FreshFilesAreNotMemoised) {
  StatCache cache;
  auto entries = walk();
  ASSERT_TRUE(hash_files(entries, &cache, 2, nullptr).has_value());  // the real clock
  HashStats stats;
  ASSERT_TRUE(hash_files(entries, &cache, 2, &stats).has_value());
  EXPECT_EQ(stats.stat_cache_hits, 0u);  // written within the racy window
}

TEST_F(CacheFileHasher, FileChangedAfterTheWalkIsHashedButNotMemoised) {
  StatCache cache;
  auto entries = walk();
  ASSERT_TRUE(write_file_atomic(m_dir->path() / "dir/f1.bin", "changed").has_value());
  int64_t later = wall_clock_ns() + 10 * k_second;
  auto digests = hash_files(entries, &cache, 1, nullptr, later);
  ASSERT_TRUE(digests.has_value());
  for (const auto& d : *digests) {
    if (d.path == "dir/f1.bin") {
      EXPECT_EQ(d.hash, hash_bytes("changed"));
    }
  }
  EXPECT_EQ(cache.size(), m_contents.size() - 1);
}

TEST_F(CacheFileHasher, UnreadableFileIsAnErrorNamingIt) {
  auto entries = walk();
  fs::remove(m_dir->path() / "dir/f1000.bin");
  auto digests = hash_files(entries, nullptr, 2);
  ASSERT_FALSE(digests.has_value());
  EXPECT_EQ(digests.error().code(), ErrorCode::io);
  EXPECT_NE(digests.error().message().find("f1000.bin"), std::string::npos);
}

TEST(CacheHash, HexIsHighHalfFirst) {
  EXPECT_EQ(to_hex(Hash128{0x0123456789abcdefULL, 0xfedcba9876543210ULL}),
            "0123456789abcdeffedcba9876543210");
}

}  // namespace
}  // namespace lpack::cache
