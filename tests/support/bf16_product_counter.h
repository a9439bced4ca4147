#pragma once
// Counts the matrix products (aten::mm, addmm, bmm, and automoe::bf16_gemm: the direct oneDNN ones
// of model/onednn_bf16_matmul.h) that take a bf16 operand on this thread while alive: tests that
// bf16 products were taken through fp32 (model/bf16_products.h) see none.
#include <memory>
#include <string>

#include <ATen/record_function.h>

namespace automoe::test {

class Bf16ProductCounter {
 public:
  Bf16ProductCounter() {
    s_count = 0;
    m_handle = at::addThreadLocalCallback(
        at::RecordFunctionCallback(&Bf16ProductCounter::onEnter).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
  }
  ~Bf16ProductCounter() { at::removeCallback(m_handle); }
  Bf16ProductCounter(const Bf16ProductCounter&) = delete;
  Bf16ProductCounter& operator=(const Bf16ProductCounter&) = delete;
  int count() const { return s_count; }

 private:
  static std::unique_ptr<at::ObserverContext> onEnter(const at::RecordFunction& fn) {
    const std::string name = fn.name();
    if (name == "aten::mm" || name == "aten::addmm" || name == "aten::bmm" || name == "automoe::bf16_gemm") {
      for (const auto& in : fn.inputs())
        if (in.isTensor() && in.toTensor().scalar_type() == at::kBFloat16) {
          ++s_count;
          break;
        }
    }
    return nullptr;
  }
  static inline int s_count = 0;
  at::CallbackHandle m_handle;
};

}  // namespace automoe::test
