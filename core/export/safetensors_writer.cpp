#include "export/safetensors_writer.h"

#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"

namespace automoe {

namespace {

void appendLittleEndian64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void check(const std::string& name, const SafetensorsTensor& t) {
  if (name.empty() || name == "__metadata__")
    throw std::invalid_argument("safetensors: invalid tensor name '" + name + "'");
  const int64_t size = safetensorsElementSize(t.dtype);
  if (size == 0)
    throw std::invalid_argument("safetensors: tensor '" + name + "': unknown dtype '" + t.dtype + "'");
  for (int64_t d : t.shape)
    if (d < 0) throw std::invalid_argument("safetensors: tensor '" + name + "': negative dimension");
  if (static_cast<int64_t>(t.data.size()) != size * t.numel())
    throw std::invalid_argument("safetensors: tensor '" + name + "': " + std::to_string(t.data.size()) +
                                " data bytes for " + std::to_string(t.numel()) + " elements of " +
                                t.dtype);
}

}  // namespace

std::string SafetensorsWriter::serialize(const SafetensorsFile& file) {
  nlohmann::json header = nlohmann::json::object();
  if (!file.metadata.empty()) {
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : file.metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : file.tensors) {  // std::map: name order
    check(name, t);
    const uint64_t end = offset + t.data.size();
    header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');  // data starts 8-byte aligned
  std::string out;
  out.reserve(8 + text.size() + offset);
  appendLittleEndian64(out, text.size());
  out += text;
  for (const auto& entry : file.tensors) out += entry.second.data;
  return out;
}

void SafetensorsWriter::write(const std::string& path, const SafetensorsFile& file) {
  writeFileAtomically(path, serialize(file));
}

}  // namespace automoe
