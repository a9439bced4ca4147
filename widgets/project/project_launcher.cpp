#include "project/project_launcher.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QScreen>
#include <exception>

#include "main_window.h"
#include "project/recent_projects.h"
#include "util/config_error.h"

namespace automoe::widgets {

ProjectLauncher::ProjectLauncher(QObject* parent) : QObject(parent) {}

std::optional<Project> ProjectLauncher::load(const QString& path, QString* error) {
  try {
    return Project::load(path.toStdString());
  } catch (const ConfigError& e) {  // names the file and the field already
    if (error) *error = QString::fromUtf8(e.what());
  } catch (const std::exception& e) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
  }
  return std::nullopt;
}

QString ProjectLauncher::startFolder() {
  const QStringList recent = RecentProjects::list();
  return recent.isEmpty() ? QDir::currentPath() : QFileInfo(recent.front()).absolutePath();
}

MainWindow* ProjectLauncher::show(Project project, MainWindow* replacing) {
  const QString path = QString::fromStdString(project.path);
  auto* window = new MainWindow(std::move(project));
  window->setAttribute(Qt::WA_DeleteOnClose);
  window->setPersistentSettings(m_persist);
  const QSize available = (replacing ? replacing->screen() : window->screen())->availableGeometry().size();
  window->resize(window->sizeHint().expandedTo(QSize(1280, 800)).boundedTo(available));
  if (m_persist) window->restoreWindowSettings();
  connect(window, &MainWindow::openProjectRequested, this, [this, window](const QString& next) {
    if (next.isEmpty()) chooseAndOpen(window);
    else open(next, window);
  });
  window->show();
  if (!path.isEmpty()) RecentProjects::add(path);
  m_window = window;
  if (replacing) replacing->close();
  Q_EMIT windowShown(window);
  return window;
}

MainWindow* ProjectLauncher::open(const QString& path, MainWindow* replacing) {
  QString error;
  std::optional<Project> project = load(path, &error);
  if (!project) {
    if (!QFileInfo::exists(path)) RecentProjects::remove(path);
    showError(replacing, path, error);
    return nullptr;
  }
  return show(std::move(*project), replacing);
}

MainWindow* ProjectLauncher::chooseAndOpen(MainWindow* replacing) {
  QString folder = startFolder();
  for (;;) {
    QFileDialog dialog(replacing, tr("Open an AutoMoE project"), folder,
                       tr("AutoMoE projects (*.json);;All files (*)"));
    dialog.setObjectName(QStringLiteral("openProjectDialog"));
    dialog.setFileMode(QFileDialog::ExistingFile);
    dialog.setAcceptMode(QFileDialog::AcceptOpen);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return nullptr;
    const QString path = dialog.selectedFiles().front();
    if (MainWindow* window = open(path, replacing)) return window;
    folder = QFileInfo(path).absolutePath();  // ask again where the bad file was
  }
}

void ProjectLauncher::showError(QWidget* parent, const QString& path, const QString& error) {
  QMessageBox box(QMessageBox::Critical, tr("Cannot open project"),
                  tr("%1 cannot be opened as an AutoMoE project.").arg(QDir::toNativeSeparators(path)),
                  QMessageBox::Ok, parent);
  box.setObjectName(QStringLiteral("projectErrorBox"));
  box.setInformativeText(error);
  box.exec();
}

}  // namespace automoe::widgets
