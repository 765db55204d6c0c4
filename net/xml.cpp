#include "net/xml.hpp"

#include <charconv>

namespace lpack::net::xml {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

// The local part of a qualified name ("s3:Key" -> "Key").
std::string_view local_name(std::string_view name) {
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void append_utf8(std::string& out, uint32_t cp) {
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

}  // namespace

std::vector<std::string_view> elements(std::string_view doc, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while ((pos = doc.find('<', pos)) != std::string_view::npos) {
    size_t name_start = pos + 1;
    if (name_start >= doc.size() || doc[name_start] == '/' || doc[name_start] == '?' ||
        doc[name_start] == '!') {
      ++pos;
      continue;
    }
    size_t name_end = name_start;
    while (name_end < doc.size() && is_name_char(doc[name_end])) ++name_end;
    const std::string_view name = doc.substr(name_start, name_end - name_start);
    const size_t tag_end = doc.find('>', name_end);
    if (tag_end == std::string_view::npos) break;
    if (local_name(name) != tag) {
      pos = tag_end + 1;
      continue;
    }
    if (doc[tag_end - 1] == '/') {  // <Tag/>
      out.emplace_back();
      pos = tag_end + 1;
      continue;
    }
    // The matching close tag, counting nested elements of the same name.
    const std::string close = "</" + std::string(name) + ">";
    const std::string open = "<" + std::string(name);
    size_t depth = 1;
    size_t scan = tag_end + 1;
    size_t close_at = std::string_view::npos;
    while (depth > 0) {
      const size_t next_close = doc.find(close, scan);
      if (next_close == std::string_view::npos) break;
      size_t next_open = doc.find(open, scan);
      while (next_open != std::string_view::npos && next_open < next_close) {
        const char after =
            next_open + open.size() < doc.size() ? doc[next_open + open.size()] : '\0';
        if (after == '>' || after == ' ' || after == '/') {
          const size_t end = doc.find('>', next_open);
          if (end != std::string_view::npos && doc[end - 1] != '/') ++depth;
        }
        next_open = doc.find(open, next_open + 1);
      }
      --depth;
      close_at = next_close;
      scan = next_close + close.size();
    }
    if (depth > 0 || close_at == std::string_view::npos) break;
    out.push_back(doc.substr(tag_end + 1, close_at - tag_end - 1));
    pos = close_at + close.size();
  }
  return out;
}

std::optional<std::string> text(std::string_view doc, std::string_view tag) {
  auto found = elements(doc, tag);
  if (found.empty()) return std::nullopt;
  return decode_entities(found.front());
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    const std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (entity.size() > 1 && entity[0] == '#') {
      uint32_t cp = 0;
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string_view digits = entity.substr(hex ? 2 : 1);
      auto [ptr, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || ptr != digits.data() + digits.size()) {
        out += text[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += text[i];
      continue;
    }
    i = semi;
  }
  return out;
}

}  // namespace lpack::net::xml
