#pragma once
// at::Tensor <-> SafetensorsTensor (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).
#include <ATen/ATen.h>

#include "export/safetensors_tensor.h"

namespace automoe {

// Contiguous CPU copy of `t` as bytes. Throws std::invalid_argument for another dtype.
SafetensorsTensor encodeTensor(const at::Tensor& t);
// A new CPU tensor owning a copy of the bytes. `where` names the tensor in errors (ConfigError).
at::Tensor decodeTensor(const SafetensorsTensor& t, const std::string& where);

}  // namespace automoe
