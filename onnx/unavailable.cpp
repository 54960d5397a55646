// The ONNX functions of a libkiln built without ONNX support (meson
// -Donnx=disabled, or libonnx-dev / libprotobuf-dev missing at setup).

#include "graph/error.hpp"
#include "onnx/onnx.hpp"

namespace kiln {

namespace {
[[noreturn]] void unavailable() {
  throw Error("this kiln was built without ONNX support: install libonnx-dev and libprotobuf-dev and "
              "reconfigure with meson -Donnx=enabled");
}
}  // namespace

bool onnx_supported() { return false; }
void export_onnx(const Model&, const std::filesystem::path&, const OnnxExportOptions&) { unavailable(); }
std::shared_ptr<Model> import_onnx(const std::filesystem::path&) { unavailable(); }

}  // namespace kiln
