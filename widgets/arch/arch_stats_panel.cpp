#include "arch/arch_stats_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

#include "arch/arch_stats.h"
#include "plot/layer_flops_plot.h"

namespace automoe::widgets {

ArchStatsPanel::ArchStatsPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("archStatsPanel"));
  auto* outer = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  m_total = addValue(QStringLiteral("total"));
  m_embedding = addValue(QStringLiteral("embedding"));
  m_active = addValue(QStringLiteral("active"));
  m_sparsity = addValue(QStringLiteral("sparsity"));
  m_flops = addValue(QStringLiteral("flops"));
  form->addRow(tr("Parameters:"), m_total);
  form->addRow(tr("  embedding:"), m_embedding);
  form->addRow(tr("Active / token:"), m_active);
  form->addRow(tr("Expert sparsity:"), m_sparsity);
  form->addRow(tr("FLOPs:"), m_flops);
  m_active->setToolTip(tr("Parameters one token uses: top-k experts at the layer's mean size"));
  m_sparsity->setToolTip(tr("1 - active / total over the non-embedding parameters"));
  outer->addLayout(form);
  m_plot = new LayerFlopsPlot(this);
  outer->addWidget(m_plot, 1);
  clear();
}

QLabel* ArchStatsPanel::addValue(const QString& key) {
  auto* label = new QLabel(this);
  label->setObjectName(key);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

QString ArchStatsPanel::formatCount(double value) {
  const double a = std::abs(value);
  if (a >= 1e12) return QStringLiteral("%1 T").arg(value / 1e12, 0, 'f', 2);
  if (a >= 1e9) return QStringLiteral("%1 G").arg(value / 1e9, 0, 'f', 2);
  if (a >= 1e6) return QStringLiteral("%1 M").arg(value / 1e6, 0, 'f', 2);
  if (a >= 1e3) return QStringLiteral("%1 k").arg(value / 1e3, 0, 'f', 1);
  return QString::number(value, 'f', 0);
}

void ArchStatsPanel::setStats(const ArchStats& s) {
  m_total->setText(formatCount(static_cast<double>(s.totalParams)));
  m_embedding->setText(formatCount(static_cast<double>(s.embeddingParams)));
  m_active->setText(formatCount(s.activeParams));
  m_sparsity->setText(QStringLiteral("%1 %").arg(100.0 * s.sparsity(), 0, 'f', 1));
  m_flops->setText(tr("%1 (%2 + %3 tokens)").arg(formatCount(s.flops)).arg(s.srcLen).arg(s.tgtLen));
  m_flops->setToolTip(tr("One teacher-forced forward pass; vocabulary projection: %1")
                          .arg(formatCount(s.outputProjectionFlops)));
  m_plot->setStats(s);
}

void ArchStatsPanel::clear() {
  for (QLabel* l : {m_total, m_embedding, m_active, m_sparsity, m_flops})
    l->setText(QStringLiteral("–"));
}

QString ArchStatsPanel::valueText(const QString& key) const {
  const auto* label = findChild<QLabel*>(key);
  return label ? label->text() : QString();
}

}  // namespace automoe::widgets
