#pragma once
// The squared L2 norm of a gradient box for clipping, in one read of the box in its own type.
// linalg_vector_norm copies a bf16 box to float first (a 16004 x 640 box: 10.6 ms against 1.4 ms
// for the same box in float) and reads a box narrower than its storage (rows at a stride) ~6x
// slower than a contiguous one (1 thread).
//
// Each row is summed in 16 float lanes of at most 4096 entries, lanes and rows then in double, in a
// fixed order: the result does not depend on the thread count, and a bf16 box gives exactly the
// result of its float widening.
#include <ATen/ATen.h>

#include <optional>

namespace automoe {

// Sum of the squares of grad's entries, or nullopt where the kernel does not apply (not CPU;
// not float, double or bf16; a last dimension that is not unit-stride): the caller then uses tensor
// operations.
std::optional<double> boxSquaredNorm(const at::Tensor& grad);

}  // namespace automoe
