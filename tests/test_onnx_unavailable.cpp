// A kiln built without ONNX support (meson -Donnx=disabled, or libonnx-dev
// missing): the ONNX functions still exist and say why they cannot work;
// the export and import tests (test_onnx_export.cpp, test_onnx_import.cpp)
// are not built, which this file says once.

#include <iostream>

#include "kiln.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("ONNX: a kiln built without ONNX support says so instead of exporting or importing") {
  std::cerr << "note: this kiln is built without ONNX support: the ONNX export and import tests are skipped\n";
  CHECK_FALSE(onnx_supported());
  Sequential model({.input_shape = {3}});
  model->add(Dense({.units = 2}));
  const auto path = std::filesystem::temp_directory_path() / "kiln-no-onnx.onnx";
  CHECK_THROWS_WITH_AS(export_onnx(*model, path, {.masked_inputs = {"input"}}),
                       doctest::Contains("built without ONNX support"), Error);
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_THROWS_WITH_AS(import_onnx(path), doctest::Contains("install libonnx-dev and libprotobuf-dev"), Error);
}
