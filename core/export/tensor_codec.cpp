#include "export/tensor_codec.h"

#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "util/config_error.h"

namespace automoe {

namespace {

const std::vector<std::pair<at::ScalarType, const char*>>& table() {
  static const std::vector<std::pair<at::ScalarType, const char*>> kTable = {
      {at::kDouble, "F64"}, {at::kFloat, "F32"}, {at::kHalf, "F16"},  {at::kBFloat16, "BF16"},
      {at::kLong, "I64"},   {at::kInt, "I32"},   {at::kShort, "I16"}, {at::kChar, "I8"},
      {at::kByte, "U8"},    {at::kBool, "BOOL"}};
  return kTable;
}

bool hostIsLittleEndian() {
  const uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

}  // namespace

SafetensorsTensor encodeTensor(const at::Tensor& t) {
  if (!hostIsLittleEndian()) throw std::runtime_error("safetensors export needs a little-endian host");
  SafetensorsTensor out;
  for (const auto& [type, name] : table())
    if (type == t.scalar_type()) out.dtype = name;
  if (out.dtype.empty())
    throw std::invalid_argument(std::string("safetensors: unsupported dtype ") + c10::toString(t.scalar_type()));
  out.shape = t.sizes().vec();
  const at::Tensor c = t.detach().to(at::kCPU).contiguous();
  out.data.assign(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  return out;
}

at::Tensor decodeTensor(const SafetensorsTensor& t, const std::string& where) {
  if (!hostIsLittleEndian()) throw std::runtime_error("safetensors import needs a little-endian host");
  for (const auto& [type, name] : table()) {
    if (t.dtype != name) continue;
    at::Tensor out = at::empty(t.shape, at::TensorOptions().dtype(type));
    if (static_cast<size_t>(out.numel() * out.element_size()) != t.data.size())
      throw ConfigError(where + ": data size does not match its dtype and shape");
    if (!t.data.empty()) std::memcpy(out.data_ptr(), t.data.data(), t.data.size());
    return out;
  }
  throw ConfigError(where + ": dtype " + t.dtype + " cannot be loaded");
}

}  // namespace automoe
