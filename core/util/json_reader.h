#pragma once
// Typed access to a JSON object that reports problems as ConfigError naming the source (file) and
// the dotted field path, e.g. "demo/project.json: field 'search_space.encoder.heads[2]': expected
// an integer, got string \"8\"".
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

namespace automoe {

class JsonReader {
 public:
  // `source` names the document (usually a file path); `path` is the dotted field prefix.
  JsonReader(const nlohmann::json& value, std::string source, std::string path = "");

  bool has(const std::string& key) const;
  const nlohmann::json& raw(const std::string& key) const;
  JsonReader child(const std::string& key) const;
  JsonReader element(size_t index) const;
  size_t arraySize() const;

  int64_t getInt(const std::string& key) const;
  int64_t getInt(const std::string& key, int64_t fallback) const;
  double getDouble(const std::string& key) const;
  double getDouble(const std::string& key, double fallback) const;
  bool getBool(const std::string& key, bool fallback) const;
  std::string getString(const std::string& key) const;
  std::string getString(const std::string& key, const std::string& fallback) const;
  std::vector<int> getIntList(const std::string& key) const;
  std::vector<std::string> getStringList(const std::string& key) const;

  // Throws if the object has a key outside `known` (catches typos such as "hedas").
  void rejectUnknownKeys(std::initializer_list<const char*> known) const;

  // Throws ConfigError "<source>: field '<path.key>': <message>".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  [[noreturn]] void failHere(const std::string& message) const;

  std::string fieldPath(const std::string& key) const;
  const std::string& source() const { return m_source; }
  const nlohmann::json& value() const { return m_value; }

 private:
  const nlohmann::json& m_value;
  std::string m_source;
  std::string m_path;
};

// Short description of a JSON value's type and content for error messages.
std::string describeJson(const nlohmann::json& v);

// `text` fit for a message: valid UTF-8 kept, control characters and bytes that are not UTF-8 (a
// corrupt file's) written as \xNN.
std::string printableText(const std::string& text);

// A JSON library exception's message fit for users: without the library's "[json.exception...]"
// prefix, the input it quotes ("last read: '...'", possibly a whole file) cut to its last 40 bytes,
// and printable (printableText).
std::string jsonErrorText(const std::exception& e);

// For fields a file only tags or describes itself with (a format version, a line kind, a
// fingerprint): j[key] as a T when j is an object holding `key` with a value of T's type, else
// `fallback`. A corrupt or hand-edited file then fails the caller's check by name instead of
// throwing the library's type error (json::value does when the field has another type).
template <class T>
T valueOr(const nlohmann::json& j, const char* key, const T& fallback) {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  try {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return fallback;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return fallback;
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) return fallback;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!it->is_number()) return fallback;
    }
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}
inline std::string valueOr(const nlohmann::json& j, const char* key, const char* fallback) {
  return valueOr(j, key, std::string(fallback));
}

// Parses text as JSON; a syntax error becomes ConfigError naming `source` and the byte offset.
nlohmann::json parseJsonText(const std::string& text, const std::string& source);

}  // namespace automoe
