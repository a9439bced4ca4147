#include "plot/layer_flops_plot.h"

#include <QVBoxLayout>

#include "arch/arch_stats.h"
#include "arch/arch_view_painter.h"
#include "plot/plot_style.h"
#include "plot/qcustomplot_compat.h"
#include "plot/replot_throttle.h"

namespace automoe::widgets {

LayerFlopsPlot::LayerFlopsPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_encoderBars(new QCPBars(m_plot->xAxis, m_plot->yAxis)),
      m_decoderBars(new QCPBars(m_plot->xAxis, m_plot->yAxis)),
      m_throttle(new ReplotThrottle([this] { m_plot->replot(); }, this)) {
  setObjectName(QStringLiteral("layerFlopsPlot"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_plot);
  m_plot->setMinimumHeight(160);
  m_encoderBars->setName(tr("encoder"));
  m_decoderBars->setName(tr("decoder"));
  m_encoderBars->setWidth(0.7);
  m_decoderBars->setWidth(0.7);
  m_plot->yAxis->setLabel(tr("MFLOPs per layer"));
  placeLegendAbove(m_plot, 0);  // one row
  applyPalette();
}

int LayerFlopsPlot::replotCount() const { return m_throttle->replots(); }

void LayerFlopsPlot::applyPalette() {
  const QPalette pal = palette();
  applyPlotPalette(m_plot, pal);
  const QColor enc = ArchViewPainter::stackColor(pal, false);
  const QColor dec = ArchViewPainter::stackColor(pal, true);
  m_encoderBars->setBrush(enc);
  m_encoderBars->setPen(QPen(enc.darker(130)));
  m_decoderBars->setBrush(dec);
  m_decoderBars->setPen(QPen(dec.darker(130)));
}

void LayerFlopsPlot::setStats(const ArchStats& stats) {
  m_encoder.clear();
  m_decoder.clear();
  QVector<double> encX, decX;
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  double x = 0;
  for (size_t i = 0; i < stats.encoderLayers.size(); ++i, ++x) {
    m_encoder << stats.encoderLayers[i].flops / 1e6;
    encX << x;
    ticker->addTick(x, QStringLiteral("E%1").arg(i));
  }
  x += 0.5;
  for (size_t i = 0; i < stats.decoderLayers.size(); ++i, ++x) {
    m_decoder << stats.decoderLayers[i].flops / 1e6;
    decX << x;
    ticker->addTick(x, QStringLiteral("D%1").arg(i));
  }
  m_encoderBars->setData(encX, m_encoder, true);
  m_decoderBars->setData(decX, m_decoder, true);
  m_plot->xAxis->setTicker(ticker);
  m_plot->xAxis->setRange(-0.7, std::max(1.0, x - 0.3));
  double top = 0;
  for (double v : m_encoder + m_decoder) top = std::max(top, v);
  m_plot->yAxis->setRange(0, top > 0 ? top * 1.25 : 1);
  m_throttle->request();
}

}  // namespace automoe::widgets
