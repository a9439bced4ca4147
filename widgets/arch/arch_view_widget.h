#pragma once
// Draws one subnet: encoder and decoder layers side by side (layer 0 at the bottom), each layer
// with its heads, enc-dec attention, router and one block per expert sized by its FFN dim.
#include <QVector>
#include <QWidget>
#include <optional>

#include "arch/arch_config.h"
#include "arch/arch_view_layout.h"
#include "arch/search_space.h"
#include "project/model_options.h"

namespace automoe::widgets {

class ArchViewWidget : public QWidget {
  Q_OBJECT

 public:
  explicit ArchViewWidget(QWidget* parent = nullptr);

  void setArch(const ArchConfig& arch, const SearchSpace& space);
  // The project's model options: routed layers then show what their layer_routing rules give them
  // (CMR, expert/final output masking) in their title and tooltip.
  void setModelOptions(const ModelOptions& model);
  void clear();
  bool hasArch() const { return m_hasArch; }
  const ArchConfig& arch() const { return m_arch; }

  // What paintEvent draws at the current size (computed on demand, cached until the arch, size or
  // font changes).
  const ArchViewLayout& diagramLayout() const;
  QVector<QRectF> expertBlockRects() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void archChanged();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void changeEvent(QEvent* event) override;
  bool event(QEvent* event) override;

 private:
  QString toolTipAt(const QPointF& pos) const;

  ArchConfig m_arch;
  SearchSpace m_space;
  bool m_hasArch = false;
  std::optional<ModelOptions> m_model;
  mutable std::optional<ArchViewLayout> m_layout;
  mutable QSize m_layoutSize;
};

}  // namespace automoe::widgets
