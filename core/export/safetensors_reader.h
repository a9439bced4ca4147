#pragma once
// Reads a safetensors file and validates all of it before returning anything: header length
// within the file, header JSON an object, "__metadata__" a map of strings, every tensor entry
// exactly {dtype (known), shape (non-negative integers), data_offsets [begin <= end]}, byte size
// = element size x element count, offsets inside the data and covering it without overlap or gap
// (as the reference implementation requires). Every refusal is a ConfigError naming the file and,
// where there is one, the tensor. Torch-free.
#include <string>

#include "export/safetensors_tensor.h"

namespace automoe {

class SafetensorsReader {
 public:
  static constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit

  static SafetensorsFile read(const std::string& path);
  // `bytes` is a whole file; `source` names it in errors.
  static SafetensorsFile parse(const std::string& bytes, const std::string& source);
};

}  // namespace automoe
