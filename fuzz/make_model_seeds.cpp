// Writes the model.json seeds of fuzz/corpus/model_json/ with kiln's own
// save_model, so they follow the current layout. Built with the fuzz
// targets (fuzz/meson.build):
//   build-fuzz/fuzz/make-model-seeds fuzz/corpus/model_json
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "layers/activation_layer.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/lstm.hpp"
#include "models/model_file.hpp"
#include "models/sequential.hpp"
#include "tests/seed_model.hpp"

using namespace kiln;
namespace fs = std::filesystem;

// save_model's model.json for `model`, as <out>/<name>.json.
void write_seed(const Model& model, const fs::path& out, const std::string& name) {
  const fs::path scratch = fs::temp_directory_path() / ("kiln-model-seed-" + name);
  save_model(model, scratch);
  fs::create_directories(out);
  fs::copy_file(scratch / "model.json", out / (name + ".json"), fs::copy_options::overwrite_existing);
  fs::remove_all(scratch);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make-model-seeds <output folder>\n");
    return 2;
  }
  const fs::path out = argv[1];
  Sequential dense({.layers = {Dense({.units = 3, .activation = "relu"}), Dense({.units = 2})}, .input_shape = {4}});
  write_seed(*dense, out, "sequential_dense");
  Sequential no_weights({.layers = {Dropout({.rate = 0.5f}), Activation({.activation = "tanh"}), Flatten()},
                         .input_shape = {2, 3}});
  write_seed(*no_weights, out, "sequential_no_weights");
  testing::SeedLayers layers{4, 5};
  write_seed(*testing::seed_model(layers, 3, 6, 2, 5), out, "functional_seed_nmt");
  auto ids = Input({3}, "ids");
  Embedding embed({.input_dim = 7, .output_dim = 2, .mask_zero = true, .name = "embed"});
  LSTM lstm({.units = 2, .name = "lstm"});
  write_seed(*Functional({ids}, {lstm(embed(ids))}, "embed_lstm"), out, "functional_embed_lstm");
  return 0;
}
