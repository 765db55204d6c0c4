#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "cache/file_hasher.hpp"
#include "cache/stat_cache.hpp"

namespace lpack::cache {
namespace {

constexpr int64_t k_second = 1'000'000'000;

TempDir make_temp() {
  auto dir = TempDir::create("lpack-statcache-");
  EXPECT_TRUE(dir.has_value());
  return std::move(*dir);
}

void write(const fs::path& path, std::string_view text) {
  ASSERT_TRUE(write_file_atomic(path, text).has_value());
}

// Rewrites the file itself (same inode), as an editor saving in place does.
void rewrite_in_place(const fs::path& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  ASSERT_TRUE(fd);
  ASSERT_TRUE(write_all(fd.get(), text, path.string()).has_value());
}

TreeEntry stat_entry(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  TreeEntry e;
  e.path = path.filename().string();
  e.source = path;
  e.size = static_cast<uint64_t>(st.st_size);
  e.device = st.st_dev;
  e.inode = st.st_ino;
  e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * k_second + st.st_mtim.tv_nsec;
  e.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * k_second + st.st_ctim.tv_nsec;
  return e;
}

// A synthetic entry: StatCache only looks at the stat fields.
TreeEntry fake_entry(uint64_t inode, uint64_t size = 10, int64_t mtime_ns = 1'000 * k_second) {
  TreeEntry e;
  e.path = "f" + std::to_string(inode);
  e.device = 42;
  e.inode = static_cast<ino_t>(inode);
  e.size = size;
  e.mtime_ns = mtime_ns;
  e.ctime_ns = mtime_ns;
  return e;
}

constexpr int64_t k_later = 2'000 * k_second;  // long after fake_entry's timestamps

TEST(CacheStatCache, RoundTrip) {
  TempDir dir = make_temp();
  fs::path file = dir.path() / "statcache";
  {
    auto cache = StatCache::load(file);
    ASSERT_TRUE(cache.has_value());
    EXPECT_TRUE(cache->warnings().empty());  // a missing file is just empty
    cache->record(fake_entry(1), Hash128{1, 2}, k_later);
    cache->record(fake_entry(2), Hash128{3, 4}, k_later);
    ASSERT_TRUE(cache->save().has_value());
  }
  auto cache = StatCache::load(file);
  ASSERT_TRUE(cache.has_value());
  EXPECT_TRUE(cache->warnings().empty());
  EXPECT_EQ(cache->size(), 2u);
  EXPECT_EQ(cache->lookup(fake_entry(1)), (Hash128{1, 2}));
  EXPECT_EQ(cache->lookup(fake_entry(2)), (Hash128{3, 4}));
  EXPECT_FALSE(cache->lookup(fake_entry(3)).has_value());
  // Any differing stat field is a miss.
  EXPECT_FALSE(cache->lookup(fake_entry(1, 11)).has_value());
  EXPECT_FALSE(cache->lookup(fake_entry(1, 10, 1'000 * k_second + 1)).has_value());
  TreeEntry ctime_changed = fake_entry(1);
  ctime_changed.ctime_ns += 1;
  EXPECT_FALSE(cache->lookup(ctime_changed).has_value());
  TreeEntry other_device = fake_entry(1);
  other_device.device = 43;
  EXPECT_FALSE(cache->lookup(other_device).has_value());
}

TEST(CacheStatCache, SameContentSameBytes) {
  TempDir dir = make_temp();
  for (const char* name : {"a", "b"}) {
    auto cache = StatCache::load(dir.path() / name);
    // Recorded in a different order each time.
    if (name[0] == 'a') {
      for (uint64_t i = 1; i <= 50; ++i) cache->record(fake_entry(i), Hash128{i, i}, k_later);
    } else {
      for (uint64_t i = 50; i >= 1; --i) cache->record(fake_entry(i), Hash128{i, i}, k_later);
    }
    ASSERT_TRUE(cache->save().has_value());
  }
  EXPECT_EQ(*read_file(dir.path() / "a"), *read_file(dir.path() / "b"));
}

TEST(CacheStatCache, CorruptFileStartsEmptyWithWarning) {
  TempDir dir = make_temp();
  fs::path file = dir.path() / "statcache";
  {
    auto cache = StatCache::load(file);
    cache->record(fake_entry(1), Hash128{1, 2}, k_later);
    ASSERT_TRUE(cache->save().has_value());
  }
  std::string good = *read_file(file);

  std::string flipped = good;
  flipped[30] = static_cast<char>(flipped[30] ^ 0x01);
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string future_version = good;
  future_version[4] = 9;
  for (const std::string& bytes :
       {flipped, bad_magic, future_version, good.substr(0, good.size() - 3), std::string("garbage"),
        std::string()}) {
    write(file, bytes);
    auto cache = StatCache::load(file);
    ASSERT_TRUE(cache.has_value());
    EXPECT_EQ(cache->size(), 0u);
    ASSERT_EQ(cache->warnings().size(), 1u);
    EXPECT_NE(cache->warnings()[0].find(file.string()), std::string::npos);
    EXPECT_FALSE(cache->lookup(fake_entry(1)).has_value());
  }
  // And the next save replaces the damaged file with a sound one.
  auto cache = StatCache::load(file);
  cache->record(fake_entry(1), Hash128{1, 2}, k_later);
  ASSERT_TRUE(cache->save().has_value());
  EXPECT_TRUE(StatCache::load(file)->warnings().empty());
}

TEST(CacheStatCache, RacyEntryIsNotTrusted) {
  TempDir dir = make_temp();
  fs::path path = dir.path() / "f.txt";
  fs::path file = dir.path() / "statcache";
  write(path, "version 1");
  TreeEntry first = stat_entry(path);

  auto cache = StatCache::load(file);
  // Hashed in the same second as the write: a later write of the same size within the
  // timestamp granularity would leave the stat data unchanged.
  cache->record(first, hash_bytes("version 1"), first.mtime_ns);
  rewrite_in_place(path, "version 2");  // same size, same second
  TreeEntry second = stat_entry(path);
  EXPECT_EQ(second.inode, first.inode);
  EXPECT_FALSE(cache->lookup(second).has_value());
  // Even on a file system too coarse to show the rewrite, the stale hash is not served.
  EXPECT_FALSE(cache->lookup(first).has_value());
  ASSERT_TRUE(cache->save().has_value());
  auto reloaded = StatCache::load(file);
  EXPECT_FALSE(reloaded->lookup(first).has_value());
  EXPECT_EQ(reloaded->size(), 0u);  // racy entries are never written
}

TEST(CacheStatCache, EntryOlderThanTheWindowIsTrusted) {
  TempDir dir = make_temp();
  fs::path path = dir.path() / "f.txt";
  write(path, "content");
  TreeEntry e = stat_entry(path);
  auto cache = StatCache::load(dir.path() / "statcache");
  int64_t newest = std::max(e.mtime_ns, e.ctime_ns);
  cache->record(e, hash_bytes("content"), newest + 2 * k_second);
  EXPECT_EQ(cache->lookup(e), hash_bytes("content"));
  // Just inside the window is still racy; a timestamp in the future (skewed clock) too.
  cache->record(e, hash_bytes("content"), newest + 2 * k_second - 1);
  EXPECT_FALSE(cache->lookup(e).has_value());
  cache->record(e, hash_bytes("content"), newest - 10 * k_second);
  EXPECT_FALSE(cache->lookup(e).has_value());
}

TEST(CacheStatCache, SaveKeepsThisRunsEntriesAndTheNewestOlderOnesUpToTheCap) {
  TempDir dir = make_temp();
  fs::path file = dir.path() / "statcache";
  {
    auto cache = StatCache::load(file, 2);
    for (uint64_t i = 1; i <= 3; ++i) cache->record(fake_entry(i), Hash128{i, 0}, k_later);
    ASSERT_TRUE(cache->save().has_value());
  }
  EXPECT_EQ(StatCache::load(file, 2)->size(), 3u);  // all used in their run: kept
  {
    auto cache = StatCache::load(file, 3);
    EXPECT_TRUE(cache->lookup(fake_entry(2)).has_value());
    cache->record(fake_entry(4), Hash128{4, 0}, k_later);
    ASSERT_TRUE(cache->save().has_value());
  }
  auto cache = StatCache::load(file, 3);
  EXPECT_EQ(cache->size(), 3u);
  EXPECT_TRUE(cache->lookup(fake_entry(2)).has_value());
  EXPECT_TRUE(cache->lookup(fake_entry(4)).has_value());
  // One of the two unused ones survives, by (device, inode) order among equals: inode 1.
  EXPECT_TRUE(cache->lookup(fake_entry(1)).has_value());
  EXPECT_FALSE(cache->lookup(fake_entry(3)).has_value());
}

TEST(CacheStatCache, SaveMergesWhatAnotherProcessSaved) {
  TempDir dir = make_temp();
  fs::path file = dir.path() / "statcache";
  auto a = StatCache::load(file);
  auto b = StatCache::load(file);
  a->record(fake_entry(1), Hash128{1, 1}, k_later);
  b->record(fake_entry(2), Hash128{2, 2}, k_later);
  ASSERT_TRUE(a->save().has_value());
  ASSERT_TRUE(b->save().has_value());
  auto merged = StatCache::load(file);
  EXPECT_EQ(merged->lookup(fake_entry(1)), (Hash128{1, 1}));
  EXPECT_EQ(merged->lookup(fake_entry(2)), (Hash128{2, 2}));
}

TEST(CacheStatCache, LookupOnlyRunDoesNotRewriteTheFile) {
  TempDir dir = make_temp();
  fs::path file = dir.path() / "statcache";
  {
    auto cache = StatCache::load(file);
    cache->record(fake_entry(1), Hash128{1, 1}, k_later);
    ASSERT_TRUE(cache->save().has_value());
  }
  struct stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  auto cache = StatCache::load(file);
  EXPECT_TRUE(cache->lookup(fake_entry(1)).has_value());
  ASSERT_TRUE(cache->save().has_value());
  struct stat after {};
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(CacheStatCache, InMemoryCacheSavesNothing) {
  StatCache cache;
  cache.record(fake_entry(1), Hash128{1, 1}, k_later);
  EXPECT_EQ(cache.lookup(fake_entry(1)), (Hash128{1, 1}));
  EXPECT_TRUE(cache.save().has_value());
}

}  // namespace
}  // namespace lpack::cache
