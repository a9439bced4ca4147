#pragma once
// Builds a standalone model of one subnet: a SuperTransformer whose shape is exactly the subnet,
// holding copies of the supernet's prefix slices under the same parameter names. Every stored
// tensor of a subnet is a prefix slice (in every dimension) of the supernet tensor of the same
// name, which is what makes the copy a generic loop.
#include "model/super_transformer.h"

namespace automoe {

struct ArchConfig;

// Throws std::invalid_argument if `arch` does not fit `supernet`. The result is in eval mode on
// the supernet's device and dtype.
SuperTransformer extractSubnet(const SuperTransformerImpl& supernet, const ArchConfig& arch);

}  // namespace automoe
