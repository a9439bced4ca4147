#include "export/safetensors_reader.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

struct Span {
  uint64_t begin, end;
  std::string name;
};

uint64_t nonNegative(const nlohmann::json& v, const std::string& what, const std::string& where) {
  if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0))
    throw ConfigError(where + ": " + what + " must be a non-negative integer, got " + v.dump());
  return v.get<uint64_t>();
}

SafetensorsTensor parseEntry(const std::string& name, const nlohmann::json& e, const std::string& where,
                             Span& span) {
  if (!e.is_object()) throw ConfigError(where + ": entry must be an object, got " + e.dump());
  for (const auto& item : e.items())
    if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets")
      throw ConfigError(where + ": unknown field '" + item.key() + "'");
  if (!e.contains("dtype") || !e.at("dtype").is_string())
    throw ConfigError(where + ": 'dtype' missing or not a string");
  SafetensorsTensor t;
  t.dtype = e.at("dtype").get<std::string>();
  const int64_t elem = safetensorsElementSize(t.dtype);
  if (elem == 0) throw ConfigError(where + ": unknown dtype '" + t.dtype + "'");
  if (!e.contains("shape") || !e.at("shape").is_array())
    throw ConfigError(where + ": 'shape' missing or not an array");
  uint64_t numel = 1;
  for (const auto& d : e.at("shape")) {
    const uint64_t dim = nonNegative(d, "every dimension of 'shape'", where);
    if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / dim)
      throw ConfigError(where + ": shape is too large");
    numel *= dim;
    t.shape.push_back(static_cast<int64_t>(dim));
  }
  if (!e.contains("data_offsets") || !e.at("data_offsets").is_array() || e.at("data_offsets").size() != 2)
    throw ConfigError(where + ": 'data_offsets' must be [begin, end]");
  span.begin = nonNegative(e.at("data_offsets")[0], "data_offsets[0]", where);
  span.end = nonNegative(e.at("data_offsets")[1], "data_offsets[1]", where);
  span.name = name;
  if (span.end < span.begin) throw ConfigError(where + ": data_offsets end before begin");
  const uint64_t expected = numel * static_cast<uint64_t>(elem);
  if (span.end - span.begin != expected)
    throw ConfigError(where + ": data_offsets span " + std::to_string(span.end - span.begin) +
                      " bytes but " + t.dtype + " x " + e.at("shape").dump() + " needs " +
                      std::to_string(expected));
  return t;
}

}  // namespace

SafetensorsFile SafetensorsReader::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": read error");
  return parse(ss.str(), path);
}

SafetensorsFile SafetensorsReader::parse(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8)
    throw ConfigError(source + ": truncated safetensors file (" + std::to_string(bytes.size()) +
                      " bytes, shorter than the 8-byte header length)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (n > kMaxHeaderBytes) throw ConfigError(source + ": header length " + std::to_string(n) + " is too large");
  if (n > bytes.size() - 8)
    throw ConfigError(source + ": truncated safetensors file: the header needs " + std::to_string(n) +
                      " bytes, only " + std::to_string(bytes.size() - 8) + " follow");
  const std::string text = bytes.substr(8, n);
  if (text.empty() || text[0] != '{') throw ConfigError(source + ": header is not a JSON object");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(source + ": header is not valid JSON: " + jsonErrorText(e));
  }
  if (!header.is_object()) throw ConfigError(source + ": header is not a JSON object");
  const std::string_view data(bytes.data() + 8 + n, bytes.size() - 8 - n);
  SafetensorsFile file;
  std::vector<Span> spans;
  for (const auto& item : header.items()) {
    if (item.key() == "__metadata__") {
      if (!item.value().is_object()) throw ConfigError(source + ": '__metadata__' must be an object");
      for (const auto& m : item.value().items()) {
        if (!m.value().is_string())
          throw ConfigError(source + ": '__metadata__." + m.key() + "' must be a string");
        file.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = source + ": tensor '" + item.key() + "'";
    Span span{};
    SafetensorsTensor t = parseEntry(item.key(), item.value(), where, span);
    if (span.end > data.size())
      throw ConfigError(where + ": data_offsets [" + std::to_string(span.begin) + ", " +
                        std::to_string(span.end) + "] beyond the " + std::to_string(data.size()) +
                        " data bytes (truncated file?)");
    t.data.assign(data.substr(span.begin, span.end - span.begin));
    spans.push_back(span);
    file.tensors.emplace(item.key(), std::move(t));
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  for (const Span& s : spans) {
    if (s.begin < at)
      throw ConfigError(source + ": tensor '" + s.name + "': data overlaps the previous tensor's");
    if (s.begin > at)
      throw ConfigError(source + ": tensor '" + s.name + "': gap of " + std::to_string(s.begin - at) +
                        " bytes before its data");
    at = s.end;
  }
  if (at != data.size())
    throw ConfigError(source + ": " + std::to_string(data.size() - at) +
                      " bytes after the last tensor's data");
  return file;
}

}  // namespace automoe
