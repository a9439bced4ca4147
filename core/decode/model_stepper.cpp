#include "decode/model_stepper.h"

#include "arch/arch_config.h"
#include "model/super_transformer.h"

namespace automoe {

ModelStepper::ModelStepper(const SuperTransformerImpl& model, const ArchConfig& arch,
                           EncoderOutput encoder)
    : m_model(model), m_arch(arch), m_encoder(std::move(encoder)) {
  for (int64_t b = 0; b < m_encoder.padding.size(0); ++b) m_rowSentence.push_back(b);
}

at::Tensor ModelStepper::step(const at::Tensor& tokens) {
  const at::Tensor logits = m_model.decodeStep(tokens, m_encoder, m_arch, m_state);  // [N, V]
  return at::log_softmax(logits, -1, at::kFloat);                                    // [N, V]
}

void ModelStepper::reorder(const at::Tensor& order) {
  const at::Tensor cpu = order.to(at::kCPU, at::kLong).contiguous();
  const int64_t* idx = cpu.data_ptr<int64_t>();
  std::vector<int64_t> rowSentence(cpu.numel());
  for (int64_t i = 0; i < cpu.numel(); ++i) rowSentence[i] = m_rowSentence.at(idx[i]);
  // Every row keeps a row of its own sentence: encoder rows and cross caches already match.
  const bool sameLayout = rowSentence == m_rowSentence;
  for (auto& layer : m_state.layers) {
    layer.self.reorder(order);
    if (!sameLayout) layer.cross.reorder(order);
  }
  if (!sameLayout) m_encoder = m_encoder.reordered(order);
  m_rowSentence = std::move(rowSentence);
}

}  // namespace automoe
