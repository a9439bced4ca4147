#include "plot/plot_style.h"

#include "plot/qcustomplot_compat.h"

namespace automoe::widgets {

void applyPlotPalette(QCustomPlot* plot, const QPalette& pal) {
  const QColor text = pal.color(QPalette::Text);
  plot->setBackground(pal.brush(QPalette::Base));
  plot->legend->setBrush(pal.brush(QPalette::Base));
  plot->legend->setTextColor(text);
  plot->legend->setBorderPen(Qt::NoPen);
  for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(pal.color(QPalette::Mid), 0, Qt::DotLine));
  }
}

void placeLegendAbove(QCustomPlot* plot, int perRow) {
  plot->legend->setVisible(true);
  plot->legend->setWrap(perRow);
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, plot->legend);
  plot->plotLayout()->setRowStretchFactor(0, 0.001);
  plot->legend->setMargins(QMargins(4, 2, 4, 2));
}

}  // namespace automoe::widgets
