#include <gtest/gtest.h>

#include <map>

#include "base/fs.hpp"
#include "runtimes/python/requirements.hpp"

namespace lpack::runtimes::python {
namespace {

// Parses from an in-memory folder: relative path -> text.
Result<RequirementsSet> parse(const std::map<std::string, std::string>& files,
                              std::string_view top = "requirements.txt") {
  RequirementsReader read = [&](const std::string& rel) -> Result<std::optional<std::string>> {
    auto it = files.find(rel);
    if (it == files.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
  return parse_requirements(top, read);
}

std::vector<std::string> texts(const std::vector<RequirementLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

TEST(PythonRequirements, CommentsBlankLinesAndContinuations) {
  auto set = parse({{"requirements.txt",
                     "# a comment\n"
                     "\n"
                     "requests==2.31.0  # trailing comment\n"
                     "boto3 \\\n"
                     "  >=1.28 \\\n"
                     "  ; python_version >= '3.9'\n"
                     "   \n"
                     "pkg#notacomment==1\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(
      texts(set->requirements),
      (std::vector<std::string>{"requests==2.31.0", "boto3    >=1.28    ; python_version >= '3.9'",
                                "pkg#notacomment==1"}));
  EXPECT_EQ(set->requirements[0].line, 3);
  EXPECT_EQ(set->requirements[1].line, 4);
  EXPECT_EQ(set->requirements[2].line, 8);
  EXPECT_EQ(set->files, std::vector<std::string>{"requirements.txt"});
}

TEST(PythonRequirements, HashPinsStayOnTheRequirement) {
  auto set = parse(
      {{"requirements.txt",
        "six==1.16.0 \\\n"
        "    --hash=sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926 \\\n"
        "    --hash=sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254\n"}});
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->requirements.size(), 1u);
  EXPECT_NE(set->requirements[0].text.find("--hash=sha256:8abb"), std::string::npos);
  EXPECT_TRUE(set->options.empty());
}

TEST(PythonRequirements, OptionLinesAreKept) {
  auto set = parse({{"requirements.txt",
                     "--index-url https://pypi.example/simple\n"
                     "--extra-index-url=https://extra.example/simple\n"
                     "-f ./wheels\n"
                     "--no-binary :all:\n"
                     "attrs\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->options.size(), 4u);
  EXPECT_EQ(texts(set->requirements), std::vector<std::string>{"attrs"});
}

TEST(PythonRequirements, IncludesAreRelativeToTheIncludingFile) {
  auto set = parse({{"requirements.txt", "-r reqs/base.txt\n--constraint=constraints.txt\nflask\n"},
                    {"reqs/base.txt", "-r ../common.txt\nrequests\n"},
                    {"common.txt", "attrs\n"},
                    {"constraints.txt", "attrs==23.1.0\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->files, (std::vector<std::string>{"requirements.txt", "reqs/base.txt", "common.txt",
                                                  "constraints.txt"}));
  EXPECT_EQ(texts(set->requirements), (std::vector<std::string>{"attrs", "requests", "flask"}));
  EXPECT_EQ(texts(set->constraints), std::vector<std::string>{"attrs==23.1.0"});
}

TEST(PythonRequirements, IncludeFormsAndDiamonds) {
  auto set = parse({{"requirements.txt", "-ra.txt\n--requirement b.txt\n-r 'a.txt'\n"},
                    {"a.txt", "-r common.txt\n"},
                    {"b.txt", "-r common.txt\n"},
                    {"common.txt", "x\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->files,
            (std::vector<std::string>{"requirements.txt", "a.txt", "common.txt", "b.txt"}));
  EXPECT_EQ(texts(set->requirements), std::vector<std::string>{"x"});
}

TEST(PythonRequirements, OnlyConstraintsMeansNothingToInstall) {
  auto set = parse({{"requirements.txt", "# pins only\n-c c.txt\n"}, {"c.txt", "x==1\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_TRUE(set->requirements.empty());
  EXPECT_EQ(set->constraints.size(), 1u);
}

TEST(PythonRequirements, MissingIncludeNamesFileAndLine) {
  auto set = parse({{"requirements.txt", "flask\n\n-r other.txt\n"}});
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(set.error().message(), "requirements.txt:3: -r other.txt: file not found");
}

TEST(PythonRequirements, ErrorsInsideAnIncludeNameThatFile) {
  auto set = parse({{"requirements.txt", "-r base.txt\n"}, {"base.txt", "ok\n-e .\n"}});
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message().rfind("base.txt:2: -e .: editable", 0), 0u)
      << set.error().message();
}

TEST(PythonRequirements, IncludeEscapingTheSourceFolderIsRejected) {
  for (const char* line : {"-r ../outside.txt", "-c sub/../../x.txt", "-r /etc/reqs.txt",
                           "-r https://example.com/reqs.txt"}) {
    auto set = parse({{"requirements.txt", std::string(line) + "\n"}, {"sub/x.txt", ""}});
    ASSERT_FALSE(set) << line;
    EXPECT_EQ(set.error().code(), ErrorCode::bad_input);
    EXPECT_EQ(set.error().message().rfind("requirements.txt:1: ", 0), 0u) << set.error().message();
  }
}

TEST(PythonRequirements, IncludeCycleIsAnError) {
  auto set = parse({{"requirements.txt", "-r a.txt\n"}, {"a.txt", "-r requirements.txt\n"}});
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message().find("a.txt:1: -r requirements.txt: include cycle"),
            std::string::npos)
      << set.error().message();
}

TEST(PythonRequirements, EditableAndLocalRequirementsAreRejected) {
  const std::vector<std::string> bad = {"-e .",
                                        "--editable=./pkg",
                                        "./pkg",
                                        "/abs/pkg",
                                        "../sibling",
                                        "file:///tmp/x.whl",
                                        "dist/pkg-1.0-py3-none-any.whl",
                                        "pkg @ file:///src/pkg",
                                        "pkg @ git+https://host/r.git",
                                        "git+https://host/r.git#egg=pkg"};
  for (const auto& line : bad) {
    auto set = parse({{"requirements.txt", "ok==1\n" + line + "\n"}});
    ASSERT_FALSE(set) << line;
    EXPECT_EQ(set.error().code(), ErrorCode::bad_input);
    EXPECT_EQ(set.error().message().rfind("requirements.txt:2: ", 0), 0u) << set.error().message();
    EXPECT_NE(set.error().message().find("published packages"), std::string::npos);
  }
}

TEST(PythonRequirements, DirectUrlsAndExtrasAreFine) {
  auto set = parse({{"requirements.txt",
                     "pkg @ https://files.example/pkg-1.0-py3-none-any.whl\n"
                     "requests[socks]>=2; python_version > '3'\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->requirements.size(), 2u);
}

TEST(PythonRequirements, OptionWithoutValue) {
  auto set = parse({{"requirements.txt", "-r\n"}});
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message(), "requirements.txt:1: -r needs a file name");
}

TEST(PythonRequirements, CrlfLineEndings) {
  auto set = parse({{"requirements.txt", "a==1\r\nb \\\r\n==2\r\n"}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(texts(set->requirements), (std::vector<std::string>{"a==1", "b  ==2"}));
}

TEST(PythonRequirements, SplitWords) {
  EXPECT_EQ(split_words("-r 'my reqs.txt'  --x=\"a b\" c\\ d"),
            (std::vector<std::string>{"-r", "my reqs.txt", "--x=a b", "c d"}));
}

TEST(PythonRequirements, OnDiskSymlinkOutOfTheFolderIsRejected) {
  auto outer = TempDir::create("lpack-test-");
  ASSERT_TRUE(outer);
  fs::path src = outer->path() / "src";
  fs::create_directories(src);
  ASSERT_TRUE(write_file_atomic(outer->path() / "secret.txt", "x\n"));
  ASSERT_TRUE(write_file_atomic(src / "requirements.txt", "-r link.txt\n"));
  fs::create_symlink(outer->path() / "secret.txt", src / "link.txt");
  auto set = parse_requirements_in(src, "requirements.txt");
  ASSERT_FALSE(set);
  EXPECT_EQ(
      set.error().message().rfind("requirements.txt:1: -r link.txt: link.txt is a symlink", 0), 0u)
      << set.error().message();

  ASSERT_TRUE(write_file_atomic(src / "requirements.txt", "-r sub/base.txt\n"));
  fs::create_directories(src / "sub");
  ASSERT_TRUE(write_file_atomic(src / "sub" / "base.txt", "x==1\n"));
  auto ok_set = parse_requirements_in(src, "requirements.txt");
  ASSERT_TRUE(ok_set) << ok_set.error().message();
  EXPECT_EQ(ok_set->files, (std::vector<std::string>{"requirements.txt", "sub/base.txt"}));
}

}  // namespace
}  // namespace lpack::runtimes::python
