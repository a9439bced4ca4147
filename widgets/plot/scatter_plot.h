#pragma once
// Points in named series on two value axes (QCustomPlot), each series with its own marker, an
// optional y = x line (for predicted against measured), and the hovered point's label as a tool
// tip. Points can be appended one at a time as a job produces them; replots are throttled
// (ReplotThrottle).
#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemText;
class QMouseEvent;

namespace automoe::widgets {

class ReplotThrottle;

struct ScatterPoint {
  double x = 0;
  double y = 0;
  QString label;  // hover text ("" = the coordinates)
};

class ScatterPlot : public QWidget {
  Q_OBJECT

 public:
  enum class Marker { Disc, Ring, Cross };
  static constexpr int kPickRadius = 8;  // pixels

  explicit ScatterPlot(QWidget* parent = nullptr);

  void setAxisLabels(const QString& x, const QString& y);
  // A new series (its legend entry `name`); its index. An invalid colour: the palette's highlight.
  int addSeries(const QString& name, Marker marker, const QColor& color = QColor());
  void setPoints(int series, const QVector<ScatterPoint>& points);
  void appendPoint(int series, const ScatterPoint& point);
  // Empties every series.
  void clearPoints();
  // Draws y = x across the data (both axes then share one range), named `name` in the legend.
  void setDiagonal(bool shown, const QString& name = QString());
  // A line of text over the plot area while it has no points ("" = none).
  void setPlaceholder(const QString& text);

  int seriesCount() const { return static_cast<int>(m_series.size()); }
  QVector<ScatterPoint> points(int series) const { return m_series.value(series).points; }
  int pointCount() const;
  bool diagonalShown() const { return m_diagonal; }
  // The placeholder text while it shows, else "".
  QString placeholderShown() const;
  // The axes' ranges as drawn.
  QPointF xRange() const;
  QPointF yRange() const;
  // Where point `index` of `series` is drawn, in canvas pixels.
  QPointF pixelOf(int series, int index) const;
  // The label of the point drawn nearest `pixel` within kPickRadius (its coordinates if it has
  // none); "" when none is that close.
  QString toolTipAt(const QPoint& pixel) const;
  QWidget* canvas() const;
  int replotCount() const;

  QSize sizeHint() const override { return {420, 300}; }

 private:
  struct Series {
    QCPGraph* graph = nullptr;
    Marker marker = Marker::Disc;
    QColor color;
    QVector<ScatterPoint> points;
  };
  void applyPalette();
  void refresh(int series);
  void rescale();
  void hovered(QMouseEvent* event);

  QCustomPlot* m_plot;
  QCPGraph* m_diagonalGraph;
  QCPItemText* m_note;  // the placeholder
  ReplotThrottle* m_throttle;
  QVector<Series> m_series;
  bool m_diagonal = false;
  QString m_placeholder;
};

}  // namespace automoe::widgets
