#pragma once
// The workbench's plots look alike: drawn in the widget palette's colours (background, text,
// grid), with the legend in its own row above the axes, so that it never hides data.
class QCustomPlot;
class QPalette;

namespace automoe::widgets {

// Background, legend and axes (lines, ticks, labels, dotted grid) in `palette`'s colours.
void applyPlotPalette(QCustomPlot* plot, const QPalette& palette);

// Shows the legend in a new top row of the plot's layout, `perRow` entries to a row.
void placeLegendAbove(QCustomPlot* plot, int perRow);

}  // namespace automoe::widgets
