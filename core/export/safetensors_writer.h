#pragma once
// Writes the safetensors format exactly: 8-byte little-endian header length N, then N bytes of
// JSON {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}},
// padded with spaces so that the data starts at an 8-byte boundary, then every tensor's bytes
// back to back in name order (offsets relative to the start of the data). Torch-free.
#include <string>

#include "export/safetensors_tensor.h"

namespace automoe {

class SafetensorsWriter {
 public:
  // The file's bytes. Throws std::invalid_argument naming the tensor when a name is empty or
  // "__metadata__", a dtype is unknown, a dimension negative or the data size does not match.
  static std::string serialize(const SafetensorsFile& file);
  // serialize() written atomically (temporary file + rename).
  static void write(const std::string& path, const SafetensorsFile& file);
};

}  // namespace automoe
