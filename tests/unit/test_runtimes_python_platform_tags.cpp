#include <gtest/gtest.h>

#include "runtimes/python/platform_tags.hpp"

namespace lpack::runtimes::python {
namespace {

TEST(PythonPlatformTags, RuntimesAndTheirImages) {
  ASSERT_EQ(python_runtimes().size(), 5u);
  auto py39 = find_python_runtime("python3.9");
  ASSERT_TRUE(py39);
  EXPECT_EQ(py39->version, "3.9");
  EXPECT_EQ(py39->abi, "cp39");
  EXPECT_EQ(py39->glibc_minor, 26);
  EXPECT_EQ(find_python_runtime("python3.11")->glibc_minor, 26);
  EXPECT_EQ(find_python_runtime("python3.12")->glibc_minor, 34);
  EXPECT_EQ(find_python_runtime("python3.13")->abi, "cp313");
  EXPECT_FALSE(find_python_runtime("python3.8"));
  EXPECT_FALSE(find_python_runtime("nodejs20.x"));
}

TEST(PythonPlatformTags, Python312Arm64) {
  EXPECT_EQ(platform_tags(*find_python_runtime("python3.12"), Arch::arm64),
            (std::vector<std::string>{
                "manylinux_2_34_aarch64", "manylinux_2_33_aarch64", "manylinux_2_32_aarch64",
                "manylinux_2_31_aarch64", "manylinux_2_30_aarch64", "manylinux_2_29_aarch64",
                "manylinux_2_28_aarch64", "manylinux_2_27_aarch64", "manylinux_2_26_aarch64",
                "manylinux_2_25_aarch64", "manylinux_2_24_aarch64", "manylinux_2_23_aarch64",
                "manylinux_2_22_aarch64", "manylinux_2_21_aarch64", "manylinux_2_20_aarch64",
                "manylinux_2_19_aarch64", "manylinux_2_18_aarch64", "manylinux_2_17_aarch64",
                "manylinux2014_aarch64"}));
}

TEST(PythonPlatformTags, Python311X86_64) {
  EXPECT_EQ(platform_tags(*find_python_runtime("python3.11"), Arch::x86_64),
            (std::vector<std::string>{
                "manylinux_2_26_x86_64", "manylinux_2_25_x86_64", "manylinux_2_24_x86_64",
                "manylinux_2_23_x86_64", "manylinux_2_22_x86_64", "manylinux_2_21_x86_64",
                "manylinux_2_20_x86_64", "manylinux_2_19_x86_64", "manylinux_2_18_x86_64",
                "manylinux_2_17_x86_64", "manylinux2014_x86_64",  "manylinux_2_16_x86_64",
                "manylinux_2_15_x86_64", "manylinux_2_14_x86_64", "manylinux_2_13_x86_64",
                "manylinux_2_12_x86_64", "manylinux2010_x86_64",  "manylinux_2_11_x86_64",
                "manylinux_2_10_x86_64", "manylinux_2_9_x86_64",  "manylinux_2_8_x86_64",
                "manylinux_2_7_x86_64",  "manylinux_2_6_x86_64",  "manylinux_2_5_x86_64",
                "manylinux1_x86_64"}));
}

TEST(PythonPlatformTags, Python39Arm64AndPython313X86_64) {
  auto arm = platform_tags(*find_python_runtime("python3.9"), Arch::arm64);
  ASSERT_EQ(arm.size(), 11u);  // 2_26 .. 2_17, then manylinux2014
  EXPECT_EQ(arm.front(), "manylinux_2_26_aarch64");
  EXPECT_EQ(arm.back(), "manylinux2014_aarch64");

  auto x86 = platform_tags(*find_python_runtime("python3.13"), Arch::x86_64);
  ASSERT_EQ(x86.size(), 33u);  // 2_34 .. 2_5 and three aliases
  EXPECT_EQ(x86.front(), "manylinux_2_34_x86_64");
  EXPECT_EQ(x86.back(), "manylinux1_x86_64");
}

}  // namespace
}  // namespace lpack::runtimes::python
