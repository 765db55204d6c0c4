// The zip record encoders and helpers, field by field: what the readers in
// test_builder_zip_writer.cpp cannot cheaply reach (4 GiB sizes and offsets, the ends of the
// DOS date range).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "builder/zip/zip_format.hpp"

namespace lpack::builder::zip {
namespace {

TEST(ZipFormat, DosDateTimeFields) {
  const auto t = to_dos_date_time(1700000000);
  EXPECT_EQ(t.date, ((2023 - 1980) << 9) | (11 << 5) | 14);
  EXPECT_EQ(t.time, (22 << 11) | (13 << 5) | (20 / 2));
  const auto min = to_dos_date_time(INT64_MIN);
  EXPECT_EQ(min.date, (1 << 5) | 1);
  EXPECT_EQ(min.time, 0);
  const auto max = to_dos_date_time(INT64_MAX);
  EXPECT_EQ(max.date, (127 << 9) | (12 << 5) | 31);
  EXPECT_EQ(max.time, (23 << 11) | (59 << 5) | 29);
}

TEST(ZipFormat, PrecompressedExtensions) {
  EXPECT_TRUE(is_precompressed_name("a/b/pkg-1.0-py3-none-any.whl"));
  EXPECT_TRUE(is_precompressed_name("lib/app.JAR"));
  EXPECT_TRUE(is_precompressed_name("x.tar.gz"));
  EXPECT_TRUE(is_precompressed_name("fonts/a.woff2"));
  EXPECT_FALSE(is_precompressed_name("app.py"));
  EXPECT_FALSE(is_precompressed_name("gz"));
  EXPECT_FALSE(is_precompressed_name("dir.zip/file"));
  EXPECT_FALSE(is_precompressed_name("file."));
}

uint64_t le(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}

// Sizes and offsets of 4 GiB and more are too slow to write in a unit test; the records
// that describe them are checked field by field instead.
TEST(ZipFormat, Zip64ExtraFieldsForLargeSizesAndOffsets) {
  EntryRecord big;
  big.name = "big.bin";
  big.size = 5ull << 30;
  big.compressed_size = 5ull << 30;
  big.offset = 0;
  std::string local;
  append_local_header(local, big, {});
  ASSERT_EQ(local.size(), 30u + 7 + 20);
  EXPECT_EQ(le(local, 4, 2), 45u);           // version needed
  EXPECT_EQ(le(local, 18, 4), 0xFFFFFFFFu);  // compressed size
  EXPECT_EQ(le(local, 22, 4), 0xFFFFFFFFu);  // size
  EXPECT_EQ(le(local, 28, 2), 20u);          // extra length
  EXPECT_EQ(le(local, 37, 2), 1u);           // zip64 extra id
  EXPECT_EQ(le(local, 41, 8), 5ull << 30);   // size
  EXPECT_EQ(le(local, 49, 8), 5ull << 30);   // compressed size

  EntryRecord late;
  late.name = "late.txt";
  late.size = 10;
  late.compressed_size = 10;
  late.offset = 6ull << 30;
  std::string central;
  append_central_header(central, late, {});
  ASSERT_EQ(central.size(), 46u + 8 + 12);
  EXPECT_EQ(le(central, 4, 2), (3u << 8) | 63);  // made by Unix
  EXPECT_EQ(le(central, 6, 2), 45u);
  EXPECT_EQ(le(central, 20, 4), 10u);
  EXPECT_EQ(le(central, 24, 4), 10u);
  EXPECT_EQ(le(central, 30, 2), 12u);
  EXPECT_EQ(le(central, 42, 4), 0xFFFFFFFFu);  // offset
  EXPECT_EQ(le(central, 56, 2), 8u);           // extra data length: the offset alone
  EXPECT_EQ(le(central, 58, 8), 6ull << 30);

  std::string small;
  append_central_header(small, {.name = "s", .compressed_size = 1, .size = 1, .offset = 7}, {});
  EXPECT_EQ(small.size(), 46u + 1);
  EXPECT_EQ(le(small, 6, 2), 20u);

  std::string end;
  append_end_records(end, 3, 7ull << 30, 100);
  ASSERT_EQ(end.size(), 56u + 20 + 22);
  EXPECT_EQ(le(end, 0, 4), 0x06064b50u);
  EXPECT_EQ(le(end, 48, 8), 7ull << 30);
  EXPECT_EQ(le(end, 56, 4), 0x07064b50u);
  EXPECT_EQ(le(end, 64, 8), (7ull << 30) + 100);  // where the zip64 end record starts
  EXPECT_EQ(le(end, 76 + 8, 2), 3u);              // entries fit in 16 bits: kept
  EXPECT_EQ(le(end, 76 + 16, 4), 0xFFFFFFFFu);    // the offset does not: marker
}

}  // namespace
}  // namespace lpack::builder::zip
