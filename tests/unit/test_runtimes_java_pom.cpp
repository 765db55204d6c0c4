#include <gtest/gtest.h>

#include "runtimes/java/pom.hpp"

namespace lpack::runtimes::java {
namespace {

TEST(JavaRuntimePom, ReadsCoordinatesAndDirectDependencies) {
  auto pom = parse_pom(R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE project>
<!-- a comment with <dependencies> inside -->
<project xmlns="http://maven.apache.org/POM/4.0.0" attr='a > b'>
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.parent</groupId><artifactId>p</artifactId><version>1</version></parent>
  <artifactId> fn </artifactId>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>managed</groupId><artifactId>only</artifactId></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
      <version>3.12.0</version>
    </dependency>
    <dependency>
      <groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>a&amp;b</groupId><artifactId><![CDATA[x<y]]></artifactId><scope>runtime</scope><type>jar</type>
    </dependency>
  </dependencies>
  <build><plugins><plugin><dependencies><dependency><groupId>plugin-dep</groupId></dependency></dependencies></plugin></plugins></build>
</project>
)",
                       "pom.xml");
  ASSERT_TRUE(pom) << pom.error().message();
  EXPECT_EQ(pom->group_id, "org.parent");
  EXPECT_EQ(pom->artifact_id, "fn");
  EXPECT_EQ(pom->packaging, "jar");
  EXPECT_TRUE(pom->has_parent);
  ASSERT_EQ(pom->dependencies.size(), 3u);
  EXPECT_EQ(pom->dependencies[0].artifact_id, "commons-lang3");
  EXPECT_TRUE(is_runtime_scope(pom->dependencies[0]));
  EXPECT_EQ(pom->dependencies[1].scope, "test");
  EXPECT_FALSE(is_runtime_scope(pom->dependencies[1]));
  EXPECT_EQ(pom->dependencies[2].group_id, "a&b");
  EXPECT_EQ(pom->dependencies[2].artifact_id, "x<y");
  EXPECT_TRUE(is_runtime_scope(pom->dependencies[2]));
}

TEST(JavaRuntimePom, NamespacePrefixesAndEntities) {
  auto pom = parse_pom(
      "<m:project xmlns:m='x'><m:artifactId>caf&#233;&#x21;</m:artifactId>"
      "<m:packaging>pom</m:packaging><m:modules><m:module>a</m:module></m:modules></m:project>",
      "pom.xml");
  ASSERT_TRUE(pom) << pom.error().message();
  EXPECT_EQ(pom->artifact_id, "caf\xC3\xA9!");
  EXPECT_EQ(pom->packaging, "pom");
  EXPECT_EQ(pom->modules, std::vector<std::string>{"a"});
}

TEST(JavaRuntimePom, MalformedXmlNamesTheLine) {
  auto pom = parse_pom("<project>\n  <artifactId>a</groupId>\n</project>\n", "fn/pom.xml");
  ASSERT_FALSE(pom);
  EXPECT_EQ(pom.error().code(), ErrorCode::bad_input);
  EXPECT_NE(pom.error().message().find("fn/pom.xml:2:"), std::string::npos)
      << pom.error().message();
  EXPECT_FALSE(parse_pom("<project>", "pom.xml"));
  EXPECT_FALSE(parse_pom("<project>&nbsp;</project>", "pom.xml"));
  EXPECT_FALSE(parse_pom("", "pom.xml"));
}

TEST(JavaRuntimePom, RootMustBeProject) {
  auto pom = parse_pom("<settings/>", "pom.xml");
  ASSERT_FALSE(pom);
  EXPECT_NE(pom.error().message().find("<settings>"), std::string::npos);
}

}  // namespace
}  // namespace lpack::runtimes::java
