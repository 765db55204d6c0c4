// A minimal XML reader for pom.xml, hand-written because lpack links no XML library and a
// POM needs only elements and text: comments, processing instructions, a DOCTYPE, CDATA
// and the predefined and numeric entities are understood; attributes and namespaces are
// skipped (element names lose their prefix). Not a validating parser: Maven validates.
#include "runtimes/java/pom.hpp"

#include <cstdlib>
#include <memory>

namespace lpack::runtimes::java {
namespace {

struct Element {
  std::string name;
  std::string text;  // the concatenated character data directly inside the element
  std::vector<std::unique_ptr<Element>> children;

  const Element* child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
  std::string child_text(std::string_view n) const {
    const Element* c = child(n);
    return c ? trimmed(c->text) : std::string();
  }
  static std::string trimmed(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }
};

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class XmlReader {
 public:
  XmlReader(std::string_view text, std::string_view file_name) : m_text(text), m_file(file_name) {}

  Result<std::unique_ptr<Element>> read_document() {
    std::unique_ptr<Element> root;
    while (true) {
      skip_blanks();
      if (m_pos >= m_text.size()) break;
      if (!looking_at("<")) return fail("text outside the root element");
      if (looking_at("<?")) {
        LPACK_TRY(skip_past("?>"));
      } else if (looking_at("<!--")) {
        LPACK_TRY(skip_past("-->"));
      } else if (looking_at("<!")) {
        LPACK_TRY(skip_past(">"));  // DOCTYPE without an internal subset, as POMs have
      } else {
        if (root) return fail("a second root element");
        root = LPACK_TRY(read_element());
      }
    }
    if (!root) return fail("no root element");
    return root;
  }

 private:
  Error fail(std::string_view what) const {
    int line = 1;
    for (size_t i = 0; i < m_pos && i < m_text.size(); ++i) line += m_text[i] == '\n';
    return bad_input(std::string(m_file) + ":" + std::to_string(line) + ": " + std::string(what) +
                     "; fix the XML (Maven cannot read it either)");
  }
  bool looking_at(std::string_view s) const { return m_text.substr(m_pos, s.size()) == s; }
  void skip_blanks() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                     m_text[m_pos] == '\r' || m_text[m_pos] == '\n')) {
      ++m_pos;
    }
  }
  Result<void> skip_past(std::string_view end) {
    size_t found = m_text.find(end, m_pos);
    if (found == std::string_view::npos) return fail("unterminated markup");
    m_pos = found + end.size();
    return ok();
  }
  static bool is_name_char(char c) {
    return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '>' && c != '/' && c != '=';
  }

  // At "<name ...>"; reads through the matching end tag.
  Result<std::unique_ptr<Element>> read_element() {
    ++m_pos;  // '<'
    size_t start = m_pos;
    while (m_pos < m_text.size() && is_name_char(m_text[m_pos])) ++m_pos;
    std::string qname(m_text.substr(start, m_pos - start));
    if (qname.empty()) return fail("an element without a name");
    auto element = std::make_unique<Element>();
    size_t colon = qname.find(':');
    element->name = colon == std::string::npos ? qname : qname.substr(colon + 1);
    // Attributes: skipped, minding quoted values that may hold '>'.
    while (true) {
      if (m_pos >= m_text.size()) return fail("unterminated <" + qname + ">");
      char c = m_text[m_pos];
      if (c == '"' || c == '\'') {
        size_t close = m_text.find(c, m_pos + 1);
        if (close == std::string_view::npos) return fail("unterminated attribute value");
        m_pos = close + 1;
      } else if (looking_at("/>")) {
        m_pos += 2;
        return element;
      } else if (c == '>') {
        ++m_pos;
        break;
      } else {
        ++m_pos;
      }
    }
    while (true) {
      if (m_pos >= m_text.size()) return fail("<" + qname + "> is never closed");
      if (looking_at("</")) {
        m_pos += 2;
        size_t name_start = m_pos;
        while (m_pos < m_text.size() && is_name_char(m_text[m_pos])) ++m_pos;
        std::string_view closing = m_text.substr(name_start, m_pos - name_start);
        if (closing != qname) return fail("</" + std::string(closing) + "> closes <" + qname + ">");
        skip_blanks();
        if (!looking_at(">")) return fail("malformed end tag </" + qname + ">");
        ++m_pos;
        return element;
      }
      if (looking_at("<!--")) {
        LPACK_TRY(skip_past("-->"));
      } else if (looking_at("<![CDATA[")) {
        size_t begin = m_pos + 9;
        LPACK_TRY(skip_past("]]>"));
        element->text += m_text.substr(begin, m_pos - 3 - begin);
      } else if (looking_at("<?")) {
        LPACK_TRY(skip_past("?>"));
      } else if (looking_at("<")) {
        element->children.push_back(LPACK_TRY(read_element()));
      } else if (m_text[m_pos] == '&') {
        LPACK_TRY(read_entity(element->text));
      } else {
        element->text += m_text[m_pos++];
      }
    }
  }

  Result<void> read_entity(std::string& out) {
    size_t semi = m_text.find(';', m_pos);
    if (semi == std::string_view::npos || semi - m_pos > 12)
      return fail("a stray '&' (write &amp;)");
    std::string_view name = m_text.substr(m_pos + 1, semi - m_pos - 1);
    m_pos = semi + 1;
    if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "amp")
      out += '&';
    else if (name == "quot")
      out += '"';
    else if (name == "apos")
      out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string digits(name.substr(hex ? 2 : 1));
      if (digits.empty()) return fail("an empty character reference");
      char* end = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (*end != '\0' || cp > 0x10FFFF)
        return fail("a bad character reference &" + std::string(name) + ";");
      append_utf8(out, cp);
    } else {
      return fail("an unknown entity &" + std::string(name) + ";");
    }
    return ok();
  }

  std::string_view m_text;
  std::string_view m_file;
  size_t m_pos = 0;
};

}  // namespace

Result<Pom> parse_pom(std::string_view text, std::string_view file_name) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  XmlReader reader(text, file_name);
  auto root = LPACK_TRY(reader.read_document());
  if (root->name != "project") {
    return bad_input(std::string(file_name) + ": the root element is <" + root->name +
                     ">, not <project>; is this a Maven POM?");
  }
  Pom pom;
  pom.group_id = root->child_text("groupId");
  pom.artifact_id = root->child_text("artifactId");
  std::string packaging = root->child_text("packaging");
  if (!packaging.empty()) pom.packaging = packaging;
  if (const Element* parent = root->child("parent")) {
    pom.has_parent = true;
    if (pom.group_id.empty()) pom.group_id = parent->child_text("groupId");
  }
  if (const Element* modules = root->child("modules")) {
    for (const auto& m : modules->children) {
      if (m->name == "module") pom.modules.push_back(Element::trimmed(m->text));
    }
  }
  if (const Element* deps = root->child("dependencies")) {
    for (const auto& d : deps->children) {
      if (d->name != "dependency") continue;
      PomDependency dep;
      dep.group_id = d->child_text("groupId");
      dep.artifact_id = d->child_text("artifactId");
      dep.version = d->child_text("version");
      dep.scope = d->child_text("scope");
      dep.type = d->child_text("type");
      pom.dependencies.push_back(std::move(dep));
    }
  }
  return pom;
}

bool is_runtime_scope(const PomDependency& dependency) {
  return dependency.scope.empty() || dependency.scope == "compile" || dependency.scope == "runtime";
}

}  // namespace lpack::runtimes::java
