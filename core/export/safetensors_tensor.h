#pragma once
// One tensor of a safetensors file (https://huggingface.co/docs/safetensors), torch-free: dtype
// name as the format spells it, shape, and the raw little-endian bytes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace automoe {

struct SafetensorsTensor {
  std::string dtype;           // "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;  // [] is a scalar (one element)
  std::string data;            // little-endian bytes, exactly elementSize(dtype) * numel() of them

  int64_t numel() const;
  bool operator==(const SafetensorsTensor& o) const {
    return dtype == o.dtype && shape == o.shape && data == o.data;
  }
};

// Tensors by name (sorted, as they are laid out in the file) and the "__metadata__" strings.
struct SafetensorsFile {
  std::map<std::string, SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Bytes per element of a dtype name; 0 for a name this implementation does not know.
int64_t safetensorsElementSize(const std::string& dtype);

}  // namespace automoe
