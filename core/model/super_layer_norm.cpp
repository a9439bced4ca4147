#include "model/super_layer_norm.h"

#include "model/slice_recorder.h"

namespace automoe {

SuperLayerNormImpl::SuperLayerNormImpl(int64_t d) : dim(d) { reset(); }

void SuperLayerNormImpl::reset() {
  weight = register_parameter("weight", at::ones({dim}));
  bias = register_parameter("bias", at::zeros({dim}));
}

at::Tensor SuperLayerNormImpl::forward(const at::Tensor& x, int64_t d) const {
  TORCH_CHECK(d <= dim, "SuperLayerNorm: width ", d, " > stored ", dim);
  return at::layer_norm(x, {d}, SliceRecorder::slice(weight, {d}), SliceRecorder::slice(bias, {d}), 1e-5);
}

}  // namespace automoe
