#include "decode/model_stepper.h"

#include "arch/arch_config.h"
#include "model/super_transformer.h"

namespace automoe {

ModelStepper::ModelStepper(const SuperTransformerImpl& model, const ArchConfig& arch,
                           EncoderOutput encoder)
    : m_model(model), m_arch(arch), m_encoder(std::move(encoder)) {}

at::Tensor ModelStepper::step(const at::Tensor& tokens) {
  const at::Tensor logits = m_model.decodeStep(tokens, m_encoder, m_arch, m_state);  // [N, V]
  return at::log_softmax(logits, -1, at::kFloat);                                    // [N, V]
}

void ModelStepper::reorder(const at::Tensor& order) {
  m_encoder = m_encoder.reordered(order);
  m_state.reorder(order);
}

}  // namespace automoe
