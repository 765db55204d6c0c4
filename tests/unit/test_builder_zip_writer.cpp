// The deterministic zip writer, read back by independent readers (libzip, libarchive,
// Info-ZIP's unzip, Python's zipfile) and compared byte for byte across thread counts,
// umasks and time zones. unzip and python3 must be on PATH: a missing one fails the test
// (with the reason) rather than letting it pass unchecked.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <unistd.h>
#include <zip.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "builder/zip/precompress.hpp"
#include "builder/zip/zip_writer.hpp"
#include "cache/file_hasher.hpp"

namespace lpack::builder {
namespace {

// Restores TZ (and tzset) when a test that changed it ends.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) m_old = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (m_old)
      ::setenv("TZ", m_old->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }

 private:
  std::optional<std::string> m_old;
};

class ScopedLocale {
 public:
  ScopedLocale(int category, const char* name)
      : m_category(category), m_old(std::setlocale(category, nullptr)) {
    std::setlocale(category, name);
  }
  ~ScopedLocale() { std::setlocale(m_category, m_old.c_str()); }

 private:
  int m_category;
  std::string m_old;
};

class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : m_old(::umask(mask)) {}
  ~ScopedUmask() { ::umask(m_old); }

 private:
  mode_t m_old;
};

void write_file(const fs::path& path, std::string_view content, bool executable = false) {
  fs::create_directories(path.parent_path());
  UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0777 : 0666));
  ASSERT_TRUE(fd) << path;
  ASSERT_TRUE(write_all(fd.get(), content, path.string()));
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

std::string text_lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "line " + std::to_string(i) + ": the quick brown fox\n";
  return out;
}

// The test tree: every kind of entry the writer treats differently. Files are created
// with the current umask, so callers can vary it.
std::map<std::string, std::string> make_tree(const fs::path& root) {
  std::map<std::string, std::string> files = {
      {"empty.txt", ""},
      {"hello.txt", text_lines(50)},
      {"bin/run.sh", "#!/bin/sh\necho run\n"},
      {"data/random.bin", random_bytes(64 * 1024, 42)},
      {"wheels/pkg-1.0-py3-none-any.whl", text_lines(200)},
      {"nested/a/b/c/deep.py", "print('deep')\n" + text_lines(10)},
      {"\xc3\xbcnic\xc3\xb6"
       "de/na\xc3\xafve.txt",
       "caf\xc3\xa9\n"},
  };
  for (const auto& [name, content] : files) write_file(root / name, content, name == "bin/run.sh");
  return files;
}

std::vector<ZipInput> inputs_for(const fs::path& root) {
  WalkOptions walk;
  walk.with_dirs = true;
  auto entries = walk_tree(root, walk);
  EXPECT_TRUE(entries) << entries.error().message();
  std::vector<ZipInput> inputs;
  for (const auto& e : *entries) inputs.push_back({e.path, e.source, e.is_dir, e.executable});
  return inputs;
}

Result<ZipStats> zip_to(const fs::path& zip_path, std::vector<ZipInput> inputs,
                        const ZipOptions& options = {}) {
  UniqueFd fd(::open(zip_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_error(zip_path.string(), errno);
  return write_zip(fd.get(), std::move(inputs), options);
}

std::string file_bytes(const fs::path& path) {
  auto data = read_file(path);
  EXPECT_TRUE(data) << path;
  return data ? *data : std::string();
}

// Runs a shell command; returns its exit status and stdout.
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, ""};
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool have_program(const char* name) {
  return find_program(name).has_value();
}

// Python's zipfile view of a zip: "testzip=None" then per entry, in central directory order,
// "name mode(octal) method Y-M-D h:m:s size".
std::string python_listing(const fs::path& zip_path, const fs::path& scratch) {
  const fs::path script = scratch / "list_zip.py";
  write_file(script,
             "import sys, zipfile\n"
             "with zipfile.ZipFile(sys.argv[1]) as z:\n"
             "    print('testzip=%s' % z.testzip())\n"
             "    for i in z.infolist():\n"
             "        print('%s %o %d %04d-%02d-%02d %02d:%02d:%02d %d' % ((i.filename, "
             "i.external_attr >> 16,\n"
             "              i.compress_type) + i.date_time + (i.file_size,)))\n");
  auto [status, output] = run("python3 '" + script.string() + "' '" + zip_path.string() + "'");
  EXPECT_EQ(status, 0) << output;
  return output;
}

class ZipWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-zip-test-");
    ASSERT_TRUE(dir) << dir.error().message();
    m_dir.emplace(std::move(*dir));
  }
  fs::path dir() const { return m_dir->path(); }

  std::optional<TempDir> m_dir;
};

TEST_F(ZipWriterTest, LibzipReadsNamesSizesTimesModesMethodsAndContents) {
  ScopedTz tz("UTC");  // libzip turns the DOS time into time_t through local time
  const auto files = make_tree(dir() / "src");
  auto stats = zip_to(dir() / "out.zip", inputs_for(dir() / "src"));
  ASSERT_TRUE(stats) << stats.error().message();

  int err = 0;
  zip_t* za = zip_open((dir() / "out.zip").c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  ASSERT_NE(za, nullptr) << "libzip error " << err;
  // 7 files + bin, data, nested, nested/a, nested/a/b, nested/a/b/c, wheels, the UTF-8 folder.
  ASSERT_EQ(zip_get_num_entries(za, 0), 15);
  EXPECT_EQ(stats->entries, 15u);
  std::string previous;
  uint64_t unpacked = 0;
  std::map<std::string, uint16_t> methods;
  for (zip_int64_t i = 0; i < 15; ++i) {
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st), 0);
    const std::string name = st.name;
    EXPECT_LT(previous, name) << "entries must be sorted bytewise";
    previous = name;
    EXPECT_EQ(st.mtime, 315532800) << name;
    methods[name] = st.comp_method;
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    ASSERT_EQ(
        zip_file_get_external_attributes(za, static_cast<zip_uint64_t>(i), 0, &opsys, &attributes),
        0);
    EXPECT_EQ(opsys, ZIP_OPSYS_UNIX);
    const bool is_dir = name.back() == '/';
    const uint32_t expected_mode = is_dir ? 040755 : name == "bin/run.sh" ? 0100755 : 0100644;
    EXPECT_EQ(attributes >> 16, expected_mode) << name;
    if (is_dir) {
      EXPECT_EQ(st.size, 0u);
      continue;
    }
    ASSERT_TRUE(files.count(name)) << name;
    const std::string& expected = files.at(name);
    EXPECT_EQ(st.size, expected.size()) << name;
    unpacked += st.size;
    std::string content(expected.size(), '\0');
    zip_file_t* f = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(zip_fread(f, content.data(), content.size()),
              static_cast<zip_int64_t>(content.size()));
    zip_fclose(f);
    EXPECT_EQ(content, expected) << name;
  }
  zip_close(za);
  EXPECT_EQ(stats->unpacked_size, unpacked);
  EXPECT_EQ(stats->size, fs::file_size(dir() / "out.zip"));
  EXPECT_EQ(stats->sha256, *sha256_file(dir() / "out.zip"));

  EXPECT_EQ(methods["empty.txt"], ZIP_CM_STORE);
  EXPECT_EQ(methods["hello.txt"], ZIP_CM_DEFLATE);
  EXPECT_EQ(methods["nested/a/b/c/deep.py"], ZIP_CM_DEFLATE);
  EXPECT_EQ(methods["data/random.bin"], ZIP_CM_STORE) << "incompressible data is stored";
  EXPECT_EQ(methods["wheels/pkg-1.0-py3-none-any.whl"], ZIP_CM_STORE)
      << "a wheel is already compressed";
  EXPECT_EQ(methods["bin/"], ZIP_CM_STORE);
}

// Reads every entry with libarchive, either through the central directory (seekable) or
// through the local headers alone (streamable); returns "name mode" lines and contents.
void check_with_libarchive(const fs::path& zip_path,
                           const std::map<std::string, std::string>& files, bool streamable) {
  archive* a = archive_read_new();
  if (streamable)
    archive_read_support_format_zip_streamable(a);
  else
    archive_read_support_format_zip_seekable(a);
  ASSERT_EQ(archive_read_open_filename(a, zip_path.c_str(), 1 << 16), ARCHIVE_OK)
      << archive_error_string(a);
  archive_entry* entry = nullptr;
  size_t seen_files = 0, seen_dirs = 0;
  int r = 0;
  while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    const char* utf8 = archive_entry_pathname_utf8(entry);
    ASSERT_NE(utf8, nullptr);
    const std::string name = utf8;
    // Only the central directory holds modes; streaming readers guess from the umask.
    const mode_t mode = archive_entry_mode(entry);
    if (name.back() == '/') {
      if (!streamable) {
        EXPECT_EQ(mode, 040755u) << name;
      }
      ++seen_dirs;
      continue;
    }
    ASSERT_TRUE(files.count(name)) << name;
    if (!streamable) {
      EXPECT_EQ(mode, name == "bin/run.sh" ? 0100755u : 0100644u) << name;
    }
    EXPECT_EQ(archive_entry_mtime(entry), 315532800) << name;
    std::string content;
    char buffer[8192];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0)
      content.append(buffer, static_cast<size_t>(n));
    EXPECT_EQ(n, 0) << archive_error_string(a);
    EXPECT_EQ(content, files.at(name)) << name;
    ++seen_files;
  }
  EXPECT_EQ(r, ARCHIVE_EOF) << archive_error_string(a);
  EXPECT_EQ(seen_files, files.size());
  EXPECT_EQ(seen_dirs, 8u);
  archive_read_free(a);
}

TEST_F(ZipWriterTest, LibarchiveReadsModesAndContents) {
  ScopedTz tz("UTC");
  ScopedLocale utf8(LC_CTYPE, "C.UTF-8");  // libarchive converts names to the locale's charset
  const auto files = make_tree(dir() / "src");
  ASSERT_TRUE(zip_to(dir() / "out.zip", inputs_for(dir() / "src")));
  check_with_libarchive(dir() / "out.zip", files, false);
  check_with_libarchive(dir() / "out.zip", files, true);
}

TEST_F(ZipWriterTest, UnzipTestsCleanly) {
  ASSERT_TRUE(have_program("unzip")) << "unzip is not on PATH (apt-get install unzip)";
  make_tree(dir() / "src");
  ASSERT_TRUE(zip_to(dir() / "out.zip", inputs_for(dir() / "src")));
  auto [status, output] = run("unzip -t '" + (dir() / "out.zip").string() + "' 2>&1");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("No errors detected"), std::string::npos) << output;
}

TEST_F(ZipWriterTest, PythonZipfileSeesOrderModesMethodsAndDosEpoch) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  make_tree(dir() / "src");
  ASSERT_TRUE(zip_to(dir() / "out.zip", inputs_for(dir() / "src")));
  EXPECT_EQ(python_listing(dir() / "out.zip", dir()),
            "testzip=None\n"
            "bin/ 40755 0 1980-01-01 00:00:00 0\n"
            "bin/run.sh 100755 0 1980-01-01 00:00:00 19\n"  // too small to shrink
            "data/ 40755 0 1980-01-01 00:00:00 0\n"
            "data/random.bin 100644 0 1980-01-01 00:00:00 65536\n"
            "empty.txt 100644 0 1980-01-01 00:00:00 0\n"
            "hello.txt 100644 8 1980-01-01 00:00:00 1440\n"
            "nested/ 40755 0 1980-01-01 00:00:00 0\n"
            "nested/a/ 40755 0 1980-01-01 00:00:00 0\n"
            "nested/a/b/ 40755 0 1980-01-01 00:00:00 0\n"
            "nested/a/b/c/ 40755 0 1980-01-01 00:00:00 0\n"
            "nested/a/b/c/deep.py 100644 8 1980-01-01 00:00:00 294\n"
            "wheels/ 40755 0 1980-01-01 00:00:00 0\n"
            "wheels/pkg-1.0-py3-none-any.whl 100644 0 1980-01-01 00:00:00 5890\n"
            "\xc3\xbcnic\xc3\xb6"
            "de/ 40755 0 1980-01-01 00:00:00 0\n"
            "\xc3\xbcnic\xc3\xb6"
            "de/na\xc3\xafve.txt 100644 0 1980-01-01 00:00:00 6\n");
}

// If this digest changes, so do the bytes of every zip lpack writes: expected after an
// upgrade of libdeflate or a change of the default level (update it then, and say so in
// the commit); anything else is a bug in the writer.
TEST_F(ZipWriterTest, GoldenBytes) {
  write_file(dir() / "src/a.txt", "hello, lambda\nhello, lambda\nhello, lambda\n");
  write_file(dir() / "src/bin/run", "#!/bin/sh\nexec python3 app.py\n", true);
  std::string lines;  // long enough that the level changes the deflate stream
  for (int i = 0; i < 400; ++i)
    lines += "row " + std::to_string(i * 7919 % 1000) + " of the golden table\n";
  write_file(dir() / "src/lib/table.txt", lines);
  ZipOptions options;
  options.timestamp = 1700000000;
  auto stats = zip_to(dir() / "out.zip", inputs_for(dir() / "src"), options);
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(std::string(LIBDEFLATE_VERSION_STRING), "1.14")
      << "libdeflate changed: recompute the digest";
  EXPECT_EQ(to_hex(stats->sha256),
            "47a48551912a5173f5ed6f98f1200495ad2746a15437112057af90453ebf68f6");
}

TEST_F(ZipWriterTest, SameBytesForOneOrEightThreads) {
  make_tree(dir() / "src");
  // Enough varied entries that eight workers finish out of order.
  for (int i = 0; i < 300; ++i) {
    write_file(dir() / "src/many" / (std::to_string(i) + ".txt"),
               text_lines(i % 37) +
                   random_bytes(static_cast<size_t>(i * 13 % 900), static_cast<uint32_t>(i)));
  }
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, 8);
  ZipOptions one;
  one.threads = 1;
  ZipOptions eight;
  eight.threads = 8;
  auto a = zip_to(dir() / "one.zip", inputs_for(dir() / "src"), one);
  auto b = zip_to(dir() / "eight.zip", inputs_for(dir() / "src"), eight);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(file_bytes(dir() / "one.zip"), file_bytes(dir() / "eight.zip"));
}

TEST_F(ZipWriterTest, SameBytesWhateverTheUmask) {
  {
    ScopedUmask mask(022);
    make_tree(dir() / "src022");
  }
  {
    ScopedUmask mask(077);
    make_tree(dir() / "src077");
  }
  {
    ScopedUmask mask(0);
    make_tree(dir() / "src000");
  }
  ASSERT_EQ(fs::status(dir() / "src077/hello.txt").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  auto a = zip_to(dir() / "a.zip", inputs_for(dir() / "src022"));
  auto b = zip_to(dir() / "b.zip", inputs_for(dir() / "src077"));
  auto c = zip_to(dir() / "c.zip", inputs_for(dir() / "src000"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(file_bytes(dir() / "a.zip"), file_bytes(dir() / "b.zip"));
  EXPECT_EQ(file_bytes(dir() / "a.zip"), file_bytes(dir() / "c.zip"));
}

TEST_F(ZipWriterTest, SameBytesWhateverTheTimeZone) {
  make_tree(dir() / "src");
  ZipOptions options;
  options.timestamp = 1700000000;
  {
    ScopedTz tz("Pacific/Kiritimati");  // UTC+14: a different calendar day from UTC
    const time_t when = 1700000000;     // 22:13:20 UTC
    std::tm local{};
    ASSERT_NE(::localtime_r(&when, &local), nullptr);
    ASSERT_EQ(local.tm_hour, 12) << "Pacific/Kiritimati is unknown here: install tzdata";
    ASSERT_TRUE(zip_to(dir() / "kiritimati.zip", inputs_for(dir() / "src"), options));
  }
  {
    ScopedTz tz("UTC");
    ASSERT_TRUE(zip_to(dir() / "utc.zip", inputs_for(dir() / "src"), options));
  }
  EXPECT_EQ(file_bytes(dir() / "kiritimati.zip"), file_bytes(dir() / "utc.zip"));
}

TEST_F(ZipWriterTest, SameBytesWhateverTheLocale) {
  make_tree(dir() / "src");
  {
    ScopedLocale c(LC_ALL, "C");
    ASSERT_TRUE(zip_to(dir() / "c.zip", inputs_for(dir() / "src")));
  }
  {
    ScopedLocale utf8(LC_ALL, "C.UTF-8");
    ASSERT_TRUE(zip_to(dir() / "utf8.zip", inputs_for(dir() / "src")));
  }
  EXPECT_EQ(file_bytes(dir() / "c.zip"), file_bytes(dir() / "utf8.zip"));
}

// Python's zipfile decodes the DOS fields itself, with no time zone involved.
TEST_F(ZipWriterTest, SourceDateEpochBecomesUtcDosTime) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  write_file(dir() / "src/app.py", "print(1)\n");
  ScopedTz tz("Pacific/Kiritimati");
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {1700000000, "2023-11-14 22:13:20"},
      {1700000001, "2023-11-14 22:13:20"},  // DOS time counts 2-second steps
      {1709210096, "2024-02-29 12:34:56"},  // a leap day
      {0, "1980-01-01 00:00:00"},           // before 1980: clamped
      {-86400, "1980-01-01 00:00:00"},
      {315532800, "1980-01-01 00:00:00"},
      {5000000000, "2107-12-31 23:59:58"},  // past the DOS range: clamped
  };
  std::string expected;
  for (size_t i = 0; i < cases.size(); ++i) {
    ZipOptions options;
    options.timestamp = cases[i].first;
    const fs::path zip_path = dir() / ("out" + std::to_string(i) + ".zip");
    ASSERT_TRUE(zip_to(zip_path, inputs_for(dir() / "src"), options));
    expected += std::to_string(cases[i].first) + " " + cases[i].second + "\n";
  }
  const fs::path script = dir() / "dates.py";
  write_file(script,
             "import sys, zipfile\n"
             "for epoch, path in zip(sys.argv[1::2], sys.argv[2::2]):\n"
             "    with zipfile.ZipFile(path) as z:\n"
             "        print(epoch, '%04d-%02d-%02d %02d:%02d:%02d' % z.infolist()[0].date_time)\n");
  std::string args;
  for (size_t i = 0; i < cases.size(); ++i) {
    args += " " + std::to_string(cases[i].first) + " '" +
            (dir() / ("out" + std::to_string(i) + ".zip")).string() + "'";
  }
  auto [status, output] = run("python3 '" + script.string() + "'" + args);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, expected);
}

TEST_F(ZipWriterTest, Zip64ForSeventyThousandEntries) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  write_file(dir() / "tiny.txt", "tiny\n");
  std::vector<ZipInput> inputs;
  constexpr int k_entries = 70000;
  for (int i = 0; i < k_entries; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "d%02d/f%05d.txt", i % 100, i);
    inputs.push_back({name, dir() / "tiny.txt", false, false});
  }
  for (int d = 0; d < 100; ++d) {
    char name[8];
    std::snprintf(name, sizeof name, "d%02d", d);
    inputs.push_back({name, {}, true, false});
  }
  auto stats = zip_to(dir() / "big.zip", std::move(inputs));
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->entries, k_entries + 100u);

  int err = 0;
  zip_t* za = zip_open((dir() / "big.zip").c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  ASSERT_NE(za, nullptr) << "libzip error " << err;
  EXPECT_EQ(zip_get_num_entries(za, 0), k_entries + 100);
  zip_stat_t st;
  ASSERT_EQ(zip_stat_index(za, k_entries + 99, 0, &st), 0);
  EXPECT_STREQ(st.name, "d99/f69999.txt");
  EXPECT_EQ(st.size, 5u);
  zip_close(za);

  const fs::path script = dir() / "count.py";
  write_file(script,
             "import sys, zipfile\n"
             "with zipfile.ZipFile(sys.argv[1]) as z:\n"
             "    names = z.namelist()\n"
             "    assert names == sorted(names, key=lambda n: n.encode()), 'unsorted'\n"
             "    print(len(names), z.testzip(), z.read('d42/f00042.txt'))\n");
  auto [status, output] =
      run("python3 '" + script.string() + "' '" + (dir() / "big.zip").string() + "'");
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "70100 None b'tiny\\n'\n");
}

TEST_F(ZipWriterTest, LargeEntriesPassTheOutputBuffer) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  write_file(dir() / "src/a_random.bin", random_bytes(9 << 20, 7));  // stored, written directly
  write_file(dir() / "src/b_text.txt", text_lines(200000));          // ~7 MB, deflated
  write_file(dir() / "src/c_small.txt", "after\n");
  auto stats = zip_to(dir() / "out.zip", inputs_for(dir() / "src"));
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->sha256, *sha256_file(dir() / "out.zip"));
  const std::string listing = python_listing(dir() / "out.zip", dir());
  EXPECT_EQ(listing.substr(0, listing.find('\n')), "testzip=None");
  EXPECT_NE(listing.find("a_random.bin 100644 0"), std::string::npos) << listing;
  EXPECT_NE(listing.find("b_text.txt 100644 8"), std::string::npos) << listing;
}

// Entries compressed ahead of packing (precompress.hpp) must leave the zip byte-identical,
// must be used (or packing would gain nothing), and must be ignored for bytes that changed.
TEST_F(ZipWriterTest, PrecompressedEntriesGiveTheSameBytes) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  const fs::path src = dir() / "src";
  write_file(src / "big/a.txt", text_lines(60000));              // ~2 MB, deflated
  write_file(src / "big/copy.txt", text_lines(60000));           // the same bytes again
  write_file(src / "big/random.bin", random_bytes(3 << 20, 9));  // deflate cannot shrink it
  write_file(src / "small.txt", text_lines(10));                 // below the size threshold
  auto plain = zip_to(dir() / "plain.zip", inputs_for(src));
  ASSERT_TRUE(plain) << plain.error().message();

  PrecompressedSet set = precompress_tree(src, k_default_zip_level);
  EXPECT_EQ(set.size(), 2u);  // a.txt (its copy shares the entry) and random.bin
  ZipOptions with_set;
  with_set.precompressed = &set;
  auto reused = zip_to(dir() / "reused.zip", inputs_for(src), with_set);
  ASSERT_TRUE(reused) << reused.error().message();
  EXPECT_EQ(file_bytes(dir() / "plain.zip"), file_bytes(dir() / "reused.zip"));

  // Proof of use: an entry made at another level, but filed as this level's, changes the
  // zip, which still reads back with the right contents (unzip checks every CRC).
  PrecompressedSet forged(k_default_zip_level);
  const std::string text = text_lines(60000);
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> fast(
      libdeflate_alloc_compressor(1), &libdeflate_free_compressor);
  PrecompressedEntry entry;
  entry.size = text.size();
  entry.crc32 = libdeflate_crc32(0, text.data(), text.size());
  entry.deflated.resize(text.size() - 1);
  entry.deflated.resize(deflate_entry(fast.get(), reinterpret_cast<const uint8_t*>(text.data()),
                                      text.size(), entry.deflated.data()));
  forged.add(cache::hash_bytes(text), std::move(entry));
  ZipOptions with_forged;
  with_forged.precompressed = &forged;
  ASSERT_TRUE(zip_to(dir() / "forged.zip", inputs_for(src), with_forged));
  EXPECT_NE(file_bytes(dir() / "plain.zip"), file_bytes(dir() / "forged.zip"));
  if (have_program("unzip")) {
    auto [status, output] = run("unzip -tq '" + (dir() / "forged.zip").string() + "' 2>&1");
    EXPECT_EQ(status, 0) << output;
  }
  // The same entry is not used by a writer at another level.
  ZipOptions other_level = with_forged;
  other_level.level = 6;
  auto level6 = zip_to(dir() / "level6.zip", inputs_for(src), other_level);
  ZipOptions plain6;
  plain6.level = 6;
  ASSERT_TRUE(zip_to(dir() / "plain6.zip", inputs_for(src), plain6));
  EXPECT_EQ(file_bytes(dir() / "level6.zip"), file_bytes(dir() / "plain6.zip"));

  // A file rewritten after it was compressed ahead: its new bytes are compressed afresh.
  write_file(src / "big/a.txt", text_lines(60001));
  auto fresh = zip_to(dir() / "fresh.zip", inputs_for(src));
  auto stale = zip_to(dir() / "stale.zip", inputs_for(src), with_set);
  ASSERT_TRUE(fresh && stale);
  EXPECT_EQ(file_bytes(dir() / "fresh.zip"), file_bytes(dir() / "stale.zip"));
}

TEST_F(ZipWriterTest, WritesToAPipe) {
  write_file(dir() / "a.txt", text_lines(10));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  auto stats = write_zip(write_end.get(), {{"a.txt", dir() / "a.txt", false, false}}, {});
  ASSERT_TRUE(stats) << stats.error().message();
  write_end.reset();
  std::string piped;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(read_end.get(), buffer, sizeof buffer)) > 0)
    piped.append(buffer, static_cast<size_t>(n));
  auto file = zip_to(dir() / "a.zip", {{"a.txt", dir() / "a.txt", false, false}});
  ASSERT_TRUE(file);
  EXPECT_EQ(piped, file_bytes(dir() / "a.zip"));
}

TEST_F(ZipWriterTest, DuplicateNamesAreAnInternalError) {
  write_file(dir() / "a.txt", "a");
  auto r = zip_to(dir() / "out.zip", {{"x/a.txt", dir() / "a.txt"}, {"x/a.txt", dir() / "a.txt"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::internal);
  EXPECT_NE(r.error().message().find("x/a.txt"), std::string::npos) << r.error().message();

  auto both = zip_to(dir() / "out.zip", {{"x", dir() / "a.txt"}, {"x", {}, true}});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code(), ErrorCode::internal);

  for (const char* bad : {"", "/abs", "a//b", "a/../b", "./a", "a/"}) {
    auto r2 = zip_to(dir() / "out.zip", {{bad, dir() / "a.txt"}});
    ASSERT_FALSE(r2) << bad;
    EXPECT_EQ(r2.error().code(), ErrorCode::internal) << bad;
  }
}

TEST_F(ZipWriterTest, UnreadableSourceIsAnIoErrorNamingThePath) {
  write_file(dir() / "a.txt", "a");
  auto r = zip_to(dir() / "out.zip",
                  {{"a.txt", dir() / "a.txt"}, {"missing.txt", dir() / "no-such-file.txt"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::io);
  EXPECT_NE(r.error().message().find("no-such-file.txt"), std::string::npos) << r.error().message();
}

TEST(ZipCompressor, IdentityNamesVersionAndLevel) {
  EXPECT_EQ(compressor_identity(),
            std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING + " level 5");
  EXPECT_EQ(compressor_identity(9),
            std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING + " level 9");
}

TEST_F(ZipWriterTest, LevelOutsideLibdeflateRangeIsRejected) {
  ZipOptions options;
  options.level = 13;
  auto r = zip_to(dir() / "out.zip", {}, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::internal);
}

TEST_F(ZipWriterTest, EmptyZipIsValid) {
  ASSERT_TRUE(have_program("python3")) << "python3 is not on PATH";
  auto stats = zip_to(dir() / "out.zip", {});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->size, 22u);
  EXPECT_EQ(python_listing(dir() / "out.zip", dir()), "testzip=None\n");
}

}  // namespace
}  // namespace lpack::builder
