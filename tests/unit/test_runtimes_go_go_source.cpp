#include <gtest/gtest.h>

#include "runtimes/go/go_source.hpp"

namespace lpack::runtimes::go {
namespace {

TEST(GoRuntimeGoMod, ReadsModuleGoAndRequires) {
  auto mod = parse_go_mod(
      "// comment\n"
      "module \"example.com/fn\" // trailing\n"
      "\n"
      "go 1.21\n"
      "\n"
      "require github.com/a/b v1.0.0\n"
      "require (\n"
      "\tgithub.com/c/d v1.2.3 // indirect\n"
      "\n"
      "\tgolang.org/x/sys v0.1.0\n"
      ")\n"
      "replace github.com/a/b => ../b\n"
      "exclude (\n"
      "\tgithub.com/e/f v0.0.1\n"
      ")\n");
  EXPECT_EQ(mod.module, "example.com/fn");
  EXPECT_EQ(mod.go_version, "1.21");
  EXPECT_EQ(mod.required,
            (std::vector<std::string>{"github.com/a/b", "github.com/c/d", "golang.org/x/sys"}));
  EXPECT_EQ(mod.replaces, std::vector<std::string>{"github.com/a/b"});
}

TEST(GoRuntimeGoMod, EmptyWhenNoModuleLine) {
  auto mod = parse_go_mod("go 1.19\r\n");
  EXPECT_EQ(mod.module, "");
  EXPECT_EQ(mod.go_version, "1.19");
  EXPECT_TRUE(mod.required.empty());
}

TEST(GoRuntimeGoSource, PackageNameSkipsComments) {
  EXPECT_EQ(go_package_name("// Copyright\n/* block\n comment */\n\npackage main // the program\n"),
            "main");
  EXPECT_EQ(go_package_name("/* one-line */ package handler\n"), "handler");
  EXPECT_EQ(go_package_name("//go:build linux\n\npackage main\n"), "main");
  EXPECT_EQ(go_package_name("//go:build ignore\n\npackage main\n"), "");
  EXPECT_EQ(go_package_name("// +build ignore\n\npackage main\n"), "");
  EXPECT_EQ(go_package_name("//go:build !ignored\n\npackage main\n"), "main");
  EXPECT_EQ(go_package_name(""), "");
}

TEST(GoRuntimeGoSource, EmbedPatterns) {
  auto patterns = go_embed_patterns(
      "package main\n"
      "//go:embed static/*.html templates\n"
      "var a embed.FS\n"
      "//go:embed \"with space.txt\" `raw.txt` all:hidden\n"
      "var b embed.FS\n"
      "// go:embed not-a-directive\n");
  EXPECT_EQ(patterns, (std::vector<std::string>{"static/*.html", "templates", "with space.txt",
                                                "raw.txt", "hidden"}));
}

TEST(GoRuntimeGoSource, ReadsTheVendoredFixture) {
  auto source = read_go_source(fs::path(LPACK_SOURCE_DIR) / "fixtures" / "go-vendored", {});
  ASSERT_TRUE(source) << source.error().message();
  EXPECT_EQ(source->mod.module, "example.com/lpack/go-vendored");
  EXPECT_EQ(source->mod.required, std::vector<std::string>{"github.com/google/uuid"});
  EXPECT_TRUE(source->vendored);
  EXPECT_EQ(source->main_package, ".");
  EXPECT_TRUE(source->embed_inputs.empty());
}

}  // namespace
}  // namespace lpack::runtimes::go
