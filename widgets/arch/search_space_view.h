#pragma once
// Read-only tree of a search space: every dimension's choices for the encoder and the decoder,
// the fixed qkv_dim, whether experts are fractional, and the number of architectures.
#include <QStringList>
#include <QTreeWidget>

namespace automoe {
struct SearchSpace;
struct StackSpace;
}  // namespace automoe

namespace automoe::widgets {

class SearchSpaceView : public QTreeWidget {
  Q_OBJECT

 public:
  explicit SearchSpaceView(QWidget* parent = nullptr);

  void setSpace(const SearchSpace& space);

  // Names of the dimensions listed under a top-level group ("space", "encoder", "decoder"), in the
  // order shown; the names are the project file's JSON keys.
  QStringList dimensions(const QString& group) const;
  // The choices column of one dimension, e.g. choices("decoder", "layers") == "6, 5, 4, 3, 2, 1".
  QString choices(const QString& group, const QString& dimension) const;

 private:
  QTreeWidgetItem* group(const QString& name) const;
  void addStack(const QString& name, const StackSpace& stack, bool decoder);
};

}  // namespace automoe::widgets
