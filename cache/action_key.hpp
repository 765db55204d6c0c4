// A step's action key: SHA-256 over a canonical text of tagged fields. The text is kept so
// `lpack explain` can show each component and say which changed since the last build.
//
// Canonical text grammar (one field per line, "\n"-terminated, order fixed by add order
// except inputs, which are sorted by path):
//   text   := "lpack-action-key 1\n" { field }
//   field  := tag " " value "\n"
//   tag    := "format" | "plugin" | "runtime" | "arch" | "step" | "toolchain" | "field"
//           | "command" | "env" | "input"
//   input  value := mode " " xxh3-128-hex " " path      (mode "644" | "755")
// In a value, "\" is written "\\" and a newline "\n", so no value spans two lines and two
// different values never give the same text.
// Values never contain a machine's absolute paths (commands keep their {src}/{work}/{out}
// placeholders) or secrets (URLs lose their credentials before they get here).
#pragma once

#include <string>
#include <vector>

#include "cache/file_hasher.hpp"

namespace lpack::cache {

// The text is built as fields are added and hashed once, when hex() is first asked for: a
// function step over node_modules has ~11k input lines (1 MB), and a build asks for the key
// several times.
class ActionKey {
 public:
  ActionKey();
  void add(std::string_view tag, std::string_view value);
  void add_inputs(const std::vector<FileDigest>& inputs);

  const std::string& canonical_text() const { return m_text; }  // the text hashed
  const std::string& hex() const;  // SHA-256 of canonical_text(), lowercase hex

 private:
  void append_escaped(std::string_view value);

  std::string m_text;
  mutable std::string m_hex;  // empty until hex() is called; add() clears it
};

// The components that differ between two canonical texts, in words ("input requirements.txt
// changed", "runtime: python3.11 -> python3.12"); empty when they are equal.
std::vector<std::string> explain_difference(std::string_view before, std::string_view after);

}  // namespace lpack::cache
