#include "util/json_reader.h"

#include <algorithm>
#include <limits>

#include "util/config_error.h"

namespace automoe {

std::string describeJson(const nlohmann::json& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

std::string printableText(const std::string& text) {
  std::string out;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    // The length of a well-formed UTF-8 sequence starting here (RFC 3629), 0 if none.
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len > 1) {
      if (i + len > n) len = 0;
      for (size_t k = 1; k < len; ++k)
        if ((s[i + k] & 0xC0) != 0x80) len = 0;
      if (len == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F))) len = 0;  // overlong, surrogate
      if (len == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F))) len = 0;  // overlong, > U+10FFFF
    }
    if (len == 0 || (len == 1 && (c < 0x20 || c == 0x7F))) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  return out;
}

std::string jsonErrorText(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("[json.exception.", 0) == 0) {
    const size_t close = m.find("] ");
    if (close != std::string::npos) m.erase(0, close + 2);
  }
  const std::string tag = "last read: '";
  const size_t at = m.find(tag);
  if (at != std::string::npos) {
    const size_t from = at + tag.size();
    size_t to = m.rfind("'; expected");
    if (to == std::string::npos || to < from) to = !m.empty() && m.back() == '\'' ? m.size() - 1 : std::string::npos;
    constexpr size_t kKeep = 40;
    if (to != std::string::npos && to > from + kKeep) m.replace(from, to - from - kKeep, "...");
  }
  return printableText(m);
}

nlohmann::json parseJsonText(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + jsonErrorText(e));
  }
}

JsonReader::JsonReader(const nlohmann::json& value, std::string source, std::string path)
    : m_value(value), m_source(std::move(source)), m_path(std::move(path)) {
  if (!m_value.is_object() && !m_value.is_array())
    failHere("expected an object, got " + describeJson(m_value));
}

std::string JsonReader::fieldPath(const std::string& key) const {
  if (key.empty()) return m_path;
  if (!key.empty() && key[0] == '[') return m_path + key;
  return m_path.empty() ? key : m_path + "." + key;
}

void JsonReader::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(m_source + ": field '" + fieldPath(key) + "': " + message);
}

void JsonReader::failHere(const std::string& message) const {
  if (m_path.empty()) throw ConfigError(m_source + ": " + message);
  throw ConfigError(m_source + ": field '" + m_path + "': " + message);
}

bool JsonReader::has(const std::string& key) const {
  return m_value.is_object() && m_value.contains(key);
}

const nlohmann::json& JsonReader::raw(const std::string& key) const {
  if (!m_value.is_object()) failHere("expected an object");
  auto it = m_value.find(key);
  if (it == m_value.end()) fail(key, "missing (required)");
  return *it;
}

JsonReader JsonReader::child(const std::string& key) const {
  const auto& v = raw(key);
  if (!v.is_object()) fail(key, "expected an object, got " + describeJson(v));
  return JsonReader(v, m_source, fieldPath(key));
}

JsonReader JsonReader::element(size_t index) const {
  if (!m_value.is_array() || index >= m_value.size()) failHere("no element " + std::to_string(index));
  const auto& v = m_value[index];
  const std::string p = m_path + "[" + std::to_string(index) + "]";
  if (!v.is_object()) throw ConfigError(m_source + ": field '" + p + "': expected an object, got " +
                                        describeJson(v));
  return JsonReader(v, m_source, p);
}

size_t JsonReader::arraySize() const { return m_value.is_array() ? m_value.size() : 0; }

static int64_t asInt(const JsonReader& r, const std::string& key, const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  r.fail(key, "expected an integer, got " + describeJson(v));
}

int64_t JsonReader::getInt(const std::string& key) const { return asInt(*this, key, raw(key)); }

int64_t JsonReader::getInt(const std::string& key, int64_t fallback) const {
  return has(key) ? getInt(key) : fallback;
}

double JsonReader::getDouble(const std::string& key) const {
  const auto& v = raw(key);
  if (!v.is_number()) fail(key, "expected a number, got " + describeJson(v));
  return v.get<double>();
}

double JsonReader::getDouble(const std::string& key, double fallback) const {
  return has(key) ? getDouble(key) : fallback;
}

bool JsonReader::getBool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = raw(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + describeJson(v));
  return v.get<bool>();
}

std::string JsonReader::getString(const std::string& key) const {
  const auto& v = raw(key);
  if (!v.is_string()) fail(key, "expected a string, got " + describeJson(v));
  return v.get<std::string>();
}

std::string JsonReader::getString(const std::string& key, const std::string& fallback) const {
  return has(key) ? getString(key) : fallback;
}

std::vector<int> JsonReader::getIntList(const std::string& key) const {
  const auto& v = raw(key);
  if (!v.is_array()) fail(key, "expected a list of integers, got " + describeJson(v));
  std::vector<int> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string k = key + "[" + std::to_string(i) + "]";
    const int64_t x = asInt(*this, k, v[i]);
    if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max())
      fail(k, "integer out of range");
    out.push_back(static_cast<int>(x));
  }
  return out;
}

std::vector<std::string> JsonReader::getStringList(const std::string& key) const {
  const auto& v = raw(key);
  if (!v.is_array()) fail(key, "expected a list of strings, got " + describeJson(v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      fail(key + "[" + std::to_string(i) + "]", "expected a string, got " + describeJson(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

void JsonReader::rejectUnknownKeys(std::initializer_list<const char*> known) const {
  if (!m_value.is_object()) return;
  for (auto it = m_value.begin(); it != m_value.end(); ++it) {
    const bool ok = std::any_of(known.begin(), known.end(),
                                [&](const char* k) { return it.key() == k; });
    if (!ok) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(it.key(), "unknown field (known fields here: " + list + ")");
    }
  }
}

}  // namespace automoe
